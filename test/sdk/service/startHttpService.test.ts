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

  // Regression (issue 18): the agent's /metrics was public and a failing health check echoed its
  // error's text ("ECONNREFUSED 10.0.0.5:8545", a path on the host...) to anyone.
  it("/metrics behind a bearer token (metricsToken) or off; a failed health check says no internal text", async () => {
    let failHealth = false;
    const start = (metrics: "off" | { bearerToken: string }) =>
      startHttpService({
        name: "svcmetrics",
        port: 0,
        logger: quiet,
        metrics,
        health: () => {
          if (failHealth) throw new Error("connect ECONNREFUSED 10.0.0.5:8545 /home/op/.rigel/agent");
          return { ok: true };
        },
        routes: () => undefined,
      });
    const guarded = await start({ bearerToken: "s3cret-token" });
    try {
      const none = await fetch(guarded.url + "/metrics");
      expect(none.status).to.equal(401);
      expect((await errorOf(none)).code).to.equal("METRICS_UNAUTHORIZED");
      const wrong = await fetch(guarded.url + "/metrics", { headers: { authorization: "Bearer s3cret-tokeN" } });
      expect(wrong.status).to.equal(401);
      const right = await fetch(guarded.url + "/metrics", { headers: { authorization: "Bearer s3cret-token" } });
      expect(right.status).to.equal(200);
      expect(await right.text()).to.contain("rigel_svcmetrics_http_requests_total");
      failHealth = true;
      const sick = await fetch(guarded.url + "/healthz");
      expect(sick.status).to.equal(503);
      const text = JSON.stringify(await sick.json());
      expect(text).to.contain("UNHEALTHY");
      expect(text).not.to.contain("ECONNREFUSED");
      expect(text).not.to.contain("/home/op");
    } finally {
      await guarded.close();
    }
    const off = await start("off");
    try {
      expect((await fetch(off.url + "/metrics")).status).to.equal(404);
    } finally {
      await off.close();
    }
  });
});
