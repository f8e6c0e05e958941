import { execFile } from "node:child_process";
import { RigelError } from "../errors/RigelError";
import { NVIDIA_SMI_ARGS, parseNvidiaSmi, type GpuInfo } from "./parseNvidiaSmi";

/** Runs a program and gives its stdout; rejects with an error whose `code` is `ENOENT` when absent. */
export type RunProgram = (file: string, args: readonly string[]) => Promise<string>;

const runWithExecFile: RunProgram = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 15_000, maxBuffer: 1024 * 1024 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });

/**
 * The NVIDIA GPUs of this host, from `nvidia-smi`. No `nvidia-smi` installed: an empty list.
 * @throws RigelError `GPU_QUERY_FAILED` when nvidia-smi is there but fails (driver not loaded, ...).
 */
export async function detectGpus(run: RunProgram = runWithExecFile): Promise<GpuInfo[]> {
  let output: string;
  try {
    output = await run("nvidia-smi", NVIDIA_SMI_ARGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new RigelError("GPU_QUERY_FAILED", "nvidia-smi failed", { cause: err });
  }
  return parseNvidiaSmi(output);
}
