import { expect } from "chai";
import path from "node:path";
import {
  buildContainerOptions,
  GpuRequestError,
  SandboxNetworkError,
} from "../../../sdk/executor/buildContainerOptions";
import { defaultSandbox } from "../../../sdk/executor/containerSandbox";
import type { ContainerJobSpec } from "../../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";

const HASH = `0x${"ab".repeat(32)}`;

function spec(fields: Record<string, unknown> = {}): ContainerJobSpec {
  return parseJobSpec({ kind: "container", image: "rigel/worker:1", ...fields }) as ContainerJobSpec;
}

const sandbox = defaultSandbox({ user: "65534:65534", logBytes: 4 * 1024 * 1024 });
const base = { job: "42", shard: 3, inputPaths: {}, outputDir: "/tmp/out", logFile: "/tmp/logs/c.log", sandbox };

describe("sdk/executor/buildContainerOptions", () => {
  it("sets the default limits, no network, the sandbox user, dropped capabilities and the labels", () => {
    const o = buildContainerOptions({ ...base, spec: spec() });
    expect(o.Image).to.equal("rigel/worker:1");
    expect(o.User).to.equal("65534:65534");
    expect(o).to.not.have.property("Cmd");
    expect(o.NetworkDisabled).to.equal(true);
    expect(o.HostConfig).to.deep.include({
      NetworkMode: "none",
      Memory: 2048 * 1024 * 1024,
      MemorySwap: 2048 * 1024 * 1024,
      NanoCpus: 1_000_000_000,
      PidsLimit: 256,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": "rw,nosuid,nodev,size=64m,mode=1777" },
      Ulimits: [{ Name: "fsize", Soft: 1024 ** 3 + 1, Hard: 1024 ** 3 + 1 }],
      AutoRemove: false,
      LogConfig: { Type: "json-file", Config: { "max-size": "8m", "max-file": "2" } },
    });
    expect(o.HostConfig).to.not.have.property("Runtime");
    expect(o.HostConfig).to.not.have.property("DeviceRequests");
    expect(o.HostConfig?.Mounts).to.deep.equal([
      { Type: "bind", Source: "/tmp/out", Target: "/rigel/output", ReadOnly: false },
    ]);
    expect(o.Labels).to.deep.equal({
      "rigel.job": "42",
      "rigel.shard": "3",
      "rigel.timeoutSec": "3600",
      "rigel.outputDir": "/tmp/out",
      "rigel.logFile": "/tmp/logs/c.log",
      "rigel.outputBytes": String(1024 ** 3),
      "rigel.outputFiles": "10000",
      "rigel.logBytes": String(4 * 1024 * 1024),
    });
    expect(o.Env).to.deep.equal([
      "RIGEL_JOB=42",
      "RIGEL_SHARD=3",
      "RIGEL_INPUTS=/rigel/inputs",
      "RIGEL_OUTPUT=/rigel/output",
    ]);
  });

  it("mounts every input read-only under /rigel/inputs and passes the item", () => {
    const s = spec({
      command: ["run", "--fast"],
      env: { MODE: "x" },
      network: "bridge",
      inputs: [
        { name: "a.bin", uri: "file:///data/a", sha256: HASH },
        { name: "b.bin", uri: "http://127.0.0.1:8621/b", sha256: HASH },
      ],
      items: [{ q: 1 }, "two"],
    });
    const o = buildContainerOptions({
      ...base,
      sandbox: { ...sandbox, bridgeNetwork: "rigel-public" },
      spec: s,
      inputPaths: { "a.bin": "/cache/a", "b.bin": "relative/b" },
      item: { index: 0, value: { q: 1 }, hostFile: "/work/items/0/item.json" },
    });
    expect(o.Cmd).to.deep.equal(["run", "--fast"]);
    expect(o.NetworkDisabled).to.equal(false);
    expect(o.HostConfig?.NetworkMode).to.equal("rigel-public");
    expect(o.HostConfig?.Mounts).to.deep.equal([
      { Type: "bind", Source: "/cache/a", Target: "/rigel/inputs/a.bin", ReadOnly: true },
      { Type: "bind", Source: path.resolve("relative/b"), Target: "/rigel/inputs/b.bin", ReadOnly: true },
      { Type: "bind", Source: "/tmp/out", Target: "/rigel/output", ReadOnly: false },
      { Type: "bind", Source: "/work/items/0/item.json", Target: "/rigel/item.json", ReadOnly: true },
    ]);
    expect(o.Env).to.include.members([
      "MODE=x",
      'RIGEL_ITEM={"q":1}',
      "RIGEL_ITEM_INDEX=0",
      "RIGEL_ITEM_FILE=/rigel/item.json",
    ]);
    expect(o.Labels?.["rigel.item"]).to.equal("0");
  });

  it("takes the spec's output and tmp limits, and the sandbox's runtime", () => {
    const o = buildContainerOptions({
      ...base,
      sandbox: { ...sandbox, runtime: "runsc" },
      spec: spec({ outputBytes: 1000, outputFiles: 5, tmpMiB: 8 }),
    });
    expect(o.HostConfig).to.deep.include({
      Runtime: "runsc",
      Tmpfs: { "/tmp": "rw,nosuid,nodev,size=8m,mode=1777" },
      Ulimits: [{ Name: "fsize", Soft: 8 * 1024 * 1024 + 1, Hard: 8 * 1024 * 1024 + 1 }],
    });
    expect(o.Labels).to.include({ "rigel.outputBytes": "1000", "rigel.outputFiles": "5" });
  });

  it("refuses a bridge spec when the sandbox has no filtered bridge network", () => {
    expect(() => buildContainerOptions({ ...base, spec: spec({ network: "bridge" }) })).to.throw(
      SandboxNetworkError,
      'the spec asks for network "bridge" and this host offers no filtered network for it',
    );
  });

  it("refuses to run without a fetched input", () => {
    const s = spec({ inputs: [{ name: "a.bin", uri: "file:///data/a", sha256: HASH }] });
    expect(() => buildContainerOptions({ ...base, spec: s })).to.throw('input "a.bin" was not fetched');
  });

  describe("GPUs", () => {
    it("requests the spec's GPU count by default", () => {
      const o = buildContainerOptions({ ...base, spec: spec({ gpus: 2 }) });
      expect(o.HostConfig?.DeviceRequests).to.deep.equal([{ Count: 2, Capabilities: [["gpu"]] }]);
    });

    it("requests exact devices by id, without a count", () => {
      const o = buildContainerOptions({ ...base, spec: spec({ gpus: 2 }), gpus: { deviceIds: ["GPU-a", "GPU-b"] } });
      expect(o.HostConfig?.DeviceRequests).to.deep.equal([{ DeviceIDs: ["GPU-a", "GPU-b"], Capabilities: [["gpu"]] }]);
    });

    it("refuses a request with both a count and device ids", () => {
      const both = { count: 1, deviceIds: ["GPU-a"] } as unknown as { count: number };
      expect(() => buildContainerOptions({ ...base, spec: spec({ gpus: 1 }), gpus: both })).to.throw(GpuRequestError);
    });

    it("refuses a request that does not match the spec's count", () => {
      expect(() => buildContainerOptions({ ...base, spec: spec({ gpus: 2 }), gpus: { count: 1 } })).to.throw(
        "the spec asks for 2 GPUs, not 1",
      );
      expect(() =>
        buildContainerOptions({ ...base, spec: spec({ gpus: 2 }), gpus: { deviceIds: ["GPU-a", "GPU-a"] } }),
      ).to.throw("the spec asks for 2 distinct GPUs");
    });

    it("gives no GPU to a spec that asks for none, whatever the operator offers", () => {
      const o = buildContainerOptions({ ...base, spec: spec(), gpus: { count: 4 } });
      expect(o.HostConfig).to.not.have.property("DeviceRequests");
    });
  });
});
