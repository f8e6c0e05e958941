import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { detectGpus } from "../../../sdk/gpu/detectGpus";
import { NVIDIA_SMI_ARGS, parseNvidiaSmi } from "../../../sdk/gpu/parseNvidiaSmi";

// Sample output of `nvidia-smi --query-gpu=name,memory.total,driver_version,uuid --format=csv,noheader`.
const TWO_GPUS = [
  "NVIDIA H100 80GB HBM3, 81559 MiB, 550.54.15, GPU-6b7f1d2e-3c4a-5b6c-7d8e-9f0a1b2c3d4e",
  "NVIDIA GeForce RTX 4090, 24564 MiB, 550.54.15, GPU-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
  "",
].join("\n");

describe("sdk/gpu/parseNvidiaSmi and detectGpus", () => {
  it("parses one GPU per line", () => {
    expect(parseNvidiaSmi(TWO_GPUS)).to.deep.equal([
      {
        model: "NVIDIA H100 80GB HBM3",
        vramMiB: 81559,
        driver: "550.54.15",
        uuid: "GPU-6b7f1d2e-3c4a-5b6c-7d8e-9f0a1b2c3d4e",
      },
      {
        model: "NVIDIA GeForce RTX 4090",
        vramMiB: 24564,
        driver: "550.54.15",
        uuid: "GPU-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
      },
    ]);
  });

  it("keeps a model name that contains a comma, and accepts CRLF", () => {
    expect(parseNvidiaSmi("Tesla T4, rev b, 15360 MiB, 535.104.05, GPU-1\r\n")).to.deep.equal([
      { model: "Tesla T4, rev b", vramMiB: 15360, driver: "535.104.05", uuid: "GPU-1" },
    ]);
  });

  it("gives no GPUs for empty output and refuses lines it cannot read", () => {
    expect(parseNvidiaSmi("\n")).to.deep.equal([]);
    expect(() => parseNvidiaSmi("NVIDIA A100, [N/A], 535.1, GPU-2")).to.throw('memory "[N/A]" is not "<n> MiB"');
    expect(() => parseNvidiaSmi("No devices were found")).to.throw("expected 4 fields");
  });

  it("runs nvidia-smi with the query, and gives [] where it is not installed", async () => {
    const seen: string[][] = [];
    const gpus = await detectGpus(async (file, args) => {
      seen.push([file, ...args]);
      return TWO_GPUS;
    });
    expect(seen).to.deep.equal([["nvidia-smi", ...NVIDIA_SMI_ARGS]]);
    expect(gpus.map((g) => g.model)).to.deep.equal(["NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 4090"]);

    const absent = Object.assign(new Error("spawn nvidia-smi ENOENT"), { code: "ENOENT" });
    expect(await detectGpus(() => Promise.reject(absent))).to.deep.equal([]);

    const failed = await detectGpus(() => Promise.reject(new Error("NVIDIA-SMI has failed"))).catch((e: unknown) => e);
    expect((failed as Error).message).to.equal("nvidia-smi failed");
  });

  it("reads this host with the real command: none without nvidia-smi, complete entries with it", async function () {
    const installed = (process.env.PATH ?? "")
      .split(path.delimiter)
      .some((dir) => fs.existsSync(path.join(dir, "nvidia-smi")));
    const gpus = await detectGpus();
    if (!installed) expect(gpus).to.deep.equal([]);
    else expect(gpus.length).to.be.greaterThan(0);
    for (const g of gpus) expect(g.vramMiB).to.be.greaterThan(0);
  });
});
