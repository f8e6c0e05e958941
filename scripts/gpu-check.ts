// GPU check (PROTOCOL §3.12): run the Python/torch worker on CUDA at m = n = k = 8192 (and 16384 when the
// card has the memory), check sampled rows of its C against the TypeScript verifier, and print the
// sustained int8 TOPS against the card's dense int8 peak. Not part of npm test (needs a GPU).
//   node -r ts-node/register/transpile-only scripts/gpu-check.ts [--sizes 8192,16384] [--python python3]
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bytesToHex } from "viem";
import { detectGpus } from "../sdk/gpu/detectGpus";
import { generatedOperands } from "../sdk/pow/operands";
import { readWorkerOutput } from "../sdk/pow/readWorkerOutput";
import { revealRows } from "../sdk/pow/reveal";
import { sampleIndices } from "../sdk/pow/sample";
import { verifySampledRows } from "../sdk/pow/verify";

/** Dense (not 2:4 sparse) int8 tensor-core peaks, TOPS, from the vendors' data sheets. */
const DENSE_INT8_PEAK_TOPS: [RegExp, number][] = [
  [/H200/i, 1979],
  [/H100.*(SXM|HBM3)/i, 1979],
  [/H100.*NVL/i, 1671],
  [/H100/i, 1513],
  [/A100/i, 624],
  [/L40S/i, 733],
  [/L40/i, 362],
  [/RTX 4090/i, 660.6],
  [/A10\b/i, 250],
  [/L4\b/i, 242.5],
  [/T4\b/i, 130],
];

const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const python = flag("python", "python3");
const worker = path.resolve(__dirname, "..", "sdk", "python", "worker.py");

// Sustained throughput: torch._int_mm repeated on resident operands (the worker's single timed call includes warm-up).
const TIMING = `
import sys, time, torch
n = int(sys.argv[1]); reps = int(sys.argv[2])
a = torch.randint(-128, 128, (n, n), dtype=torch.int8, device="cuda")
b = torch.randint(-128, 128, (n, n), dtype=torch.int8, device="cuda").t().contiguous().t()
for _ in range(3): torch._int_mm(a, b)
torch.cuda.synchronize(); t = time.perf_counter()
for _ in range(reps): torch._int_mm(a, b)
torch.cuda.synchronize(); dt = (time.perf_counter() - t) / reps
print(2 * n**3 / dt / 1e12)
`;

async function main(): Promise<number> {
  const gpus = await detectGpus();
  if (gpus.length === 0) {
    console.log("no NVIDIA GPU (nvidia-smi absent): nothing to check");
    return 2;
  }
  const gpu = gpus[0];
  const peak = DENSE_INT8_PEAK_TOPS.find(([re]) => re.test(gpu.model))?.[1];
  console.log(
    `GPU 0: ${gpu.model}, ${gpu.vramMiB} MiB, driver ${gpu.driver}; dense int8 peak ${peak ?? "unknown"} TOPS`,
  );
  const wanted = flag("sizes", "8192,16384").split(",").map(Number);
  // A (n²), B (n²) int8, C (4n²) int32 and torch's padding and workspace: ask for about 8n² bytes.
  const sizes = wanted.filter((n) => 8 * n * n <= gpu.vramMiB * 2 ** 20 * 0.8);
  let failed = false;
  for (const n of sizes) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rigel-gpu-${n}-`));
    const seed = bytesToHex(randomBytes(32));
    const started = Date.now();
    execFileSync(
      python,
      [worker, "--seed", seed, "--m", String(n), "--n", String(n), "--k", String(n), "--out", dir, "--device", "cuda"],
      {
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    const wall = (Date.now() - started) / 1000;
    const out = await readWorkerOutput(dir, { m: n, n, k: n });
    const beacon = bytesToHex(randomBytes(32));
    const revealed = revealRows(out.c, n, out.commitment, sampleIndices(beacon, n));
    const t0 = Date.now();
    let verdict = "ok";
    try {
      verifySampledRows({
        operands: generatedOperands({ seed: seed as `0x${string}`, m: n, n, k: n }),
        root: out.commitment.root,
        beacon,
        revealed,
      });
    } catch (err) {
      verdict = `FAILED: ${(err as Error).message}`;
      failed = true;
    }
    const verifySec = (Date.now() - t0) / 1000;
    const sustained = Number(execFileSync(python, ["-c", TIMING, String(n), "20"], { encoding: "utf8" }).trim());
    const single = out.result.opsPerSec ? out.result.opsPerSec / 1e12 : NaN;
    console.log(
      [
        `n=${n}: worker ${wall.toFixed(1)} s wall (generate ${out.result.seconds.generate?.toFixed(2)} s, matmul ${out.result.seconds.matmul?.toFixed(3)} s, commit ${out.result.seconds.commit?.toFixed(2)} s), device ${out.result.device}`,
        `  root ${out.commitment.root}; 32 sampled rows vs the TypeScript verifier: ${verdict} (${verifySec.toFixed(1)} s)`,
        `  int8 TOPS: worker's single call ${single.toFixed(1)}, sustained torch._int_mm ${sustained.toFixed(1)}` +
          (peak ? ` = ${((100 * sustained) / peak).toFixed(1)}% of the ${peak} TOPS dense peak` : ""),
      ].join("\n"),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const n of wanted.filter((n) => !sizes.includes(n)))
    console.log(`n=${n}: skipped (needs ~${(8 * n * n) / 2 ** 30} GiB of GPU memory)`);
  return failed ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
