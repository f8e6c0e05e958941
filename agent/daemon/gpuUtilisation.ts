import { execFile } from "node:child_process";

/** GPU utilisation (percent) per GPU from nvidia-smi; an empty list without nvidia-smi or on any failure. */
export function gpuUtilisation(): Promise<number[]> {
  return new Promise((resolve) =>
    execFile(
      "nvidia-smi",
      ["--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"],
      { timeout: 5000 },
      (err, stdout) =>
        resolve(
          err
            ? []
            : stdout
                .split("\n")
                .map((l) => Number(l.trim()))
                .filter((v) => Number.isFinite(v)),
        ),
    ),
  );
}
