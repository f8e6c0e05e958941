import { expect } from "chai";
import { Writable } from "node:stream";
import { createLogger } from "../../sdk/log/createLogger";

describe("sdk/log/createLogger", () => {
  it("writes JSON lines with the service name, child bindings, and redacted secrets", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).trim().split("\n"));
        cb();
      },
    });
    const log = createLogger({ name: "oracle", destination });
    log.child({ layer: "verify", jobId: "7" }).info({ config: { signerKey: "0xabc", port: 1 } }, "started");
    await new Promise((r) => setImmediate(r));
    const entry = JSON.parse(lines[0]);
    expect(entry).to.include({ service: "oracle", layer: "verify", jobId: "7", msg: "started" });
    expect(entry.config).to.deep.equal({ signerKey: "[redacted]", port: 1 });
  });
});
