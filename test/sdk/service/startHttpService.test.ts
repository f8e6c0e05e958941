import { expect } from "chai";
import { Writable } from "node:stream";
import { HttpError } from "../../../sdk/errors/HttpError";
import { createLogger } from "../../../sdk/log/createLogger";
import { startHttpService, type HttpService } from "../../../sdk/service/startHttpService";

const quiet = createLogger({
  name: "test",
  level: "silent",
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

describe("sdk/service/startHttpService", () => {
  let svc: HttpService;
  let healthy = true;

  before(async () => {
    svc = await startHttpService({
      name: "svctest",
      port: 0,
      logger: quiet,
      bodyLimit: "1kb",
      health: () => ({ ok: healthy, block: 7 }),
      routes: (app) => {
        app.post("/echo", (req, res) => {
          if (typeof req.body?.n !== "number") throw new HttpError(422, "BAD_N", "n must be a number");
          res.json({ n: req.body.n });
        });
        app.get("/boom", () => {
          throw new Error("secret internals");
        });
      },
    });
  });
  after(() => svc.close());

  type ErrorBody = { error: { code: string; message: string } };
  const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;
  const post = (path: string, body: string) =>
    fetch(svc.url + path, { method: "POST", headers: { "content-type": "application/json" }, body });

  it("binds to 127.0.0.1 and serves /healthz", async () => {
    expect(svc.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(svc.url + "/healthz");
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ ok: true, block: 7 });
    healthy = false;
    expect((await fetch(svc.url + "/healthz")).status).to.equal(503);
    healthy = true;
  });

  it("serves Prometheus metrics including request counts", async () => {
    await fetch(svc.url + "/healthz");
    const text = await (await fetch(svc.url + "/metrics")).text();
    expect(text).to.contain('rigel_svctest_http_requests_total{method="GET",route="/healthz",status="200"}');
    expect(text).to.contain("rigel_svctest_process_cpu_user_seconds_total");
  });

  it("answers JSON errors: HttpError status, malformed JSON 400, too large 413, unknown 404, crash 500", async () => {
    const bad = await post("/echo", JSON.stringify({ n: "x" }));
    expect(bad.status).to.equal(422);
    expect((await errorOf(bad)).code).to.equal("BAD_N");
    const malformed = await post("/echo", "{not json");
    expect(malformed.status).to.equal(400);
    expect((await errorOf(malformed)).code).to.equal("MALFORMED_JSON");
    const huge = await post("/echo", JSON.stringify({ n: 1, pad: "x".repeat(5000) }));
    expect(huge.status).to.equal(413);
    expect((await errorOf(huge)).code).to.equal("BODY_TOO_LARGE");
    const missing = await fetch(svc.url + "/nope");
    expect(missing.status).to.equal(404);
    const boom = await fetch(svc.url + "/boom");
    expect(boom.status).to.equal(500);
    const body = await errorOf(boom);
    expect(body.code).to.equal("INTERNAL");
    expect(JSON.stringify(body)).not.to.contain("secret internals");
    const ok = await post("/echo", JSON.stringify({ n: 5 }));
    expect(await ok.json()).to.deep.equal({ n: 5 });
  });
});
