import { expect } from "chai";
import { GpuAllocator } from "../../agent/policy/gpuAllocator";

describe("agent/policy/GpuAllocator (a fake inventory of four GPUs)", () => {
  const inventory = ["GPU-a", "GPU-b", "GPU-c", "GPU-d"];

  it("regression: every GPU job landed on GPU 0; two jobs now get distinct devices", () => {
    const gpus = new GpuAllocator(inventory);
    expect(gpus.acquire("7/0", 1)).to.deep.equal(["GPU-a"]);
    expect(gpus.acquire("7/1", 1)).to.deep.equal(["GPU-b"]);
    expect(gpus.acquire("8/0", 2)).to.deep.equal(["GPU-c", "GPU-d"]);
    expect(gpus.free()).to.deep.equal([]);
  });

  it("refuses what is not free without taking anything, and reuses what is given back", () => {
    const gpus = new GpuAllocator(inventory);
    expect(gpus.acquire("1/0", 3)).to.deep.equal(["GPU-a", "GPU-b", "GPU-c"]);
    expect(gpus.acquire("2/0", 2)).to.equal(undefined);
    expect(gpus.free()).to.deep.equal(["GPU-d"]);
    gpus.release("1/0");
    expect(gpus.acquire("2/0", 2)).to.deep.equal(["GPU-a", "GPU-b"]);
    gpus.release("unknown");
    expect(gpus.free()).to.deep.equal(["GPU-c", "GPU-d"]);
  });

  it("gives a holder the same devices when it asks again (a retried shard step)", () => {
    const gpus = new GpuAllocator(inventory);
    expect(gpus.acquire("1/0", 2)).to.deep.equal(["GPU-a", "GPU-b"]);
    expect(gpus.acquire("1/0", 2)).to.deep.equal(["GPU-a", "GPU-b"]);
    expect(gpus.acquire("1/0", 5)).to.equal(undefined);
    expect(gpus.acquire("1/0", 2)).to.deep.equal(["GPU-a", "GPU-b"]);
  });
});
