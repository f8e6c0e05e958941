import { RigelError } from "../errors/RigelError";

/** One NVIDIA GPU as `nvidia-smi` reports it. */
export interface GpuInfo {
  model: string;
  vramMiB: number;
  driver: string;
  uuid: string;
}

/** The query whose output {@link parseNvidiaSmi} reads. */
export const NVIDIA_SMI_ARGS = ["--query-gpu=name,memory.total,driver_version,uuid", "--format=csv,noheader"] as const;

/**
 * Parses `nvidia-smi --query-gpu=name,memory.total,driver_version,uuid --format=csv,noheader`,
 * one GPU per line, e.g. `NVIDIA H100 80GB HBM3, 81559 MiB, 550.54.15, GPU-6b7f…`. The last three
 * fields are read from the right, so a model name with a comma still parses.
 * @throws RigelError `GPU_QUERY_UNPARSABLE` on a line that does not fit.
 */
export function parseNvidiaSmi(output: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    const fields = line.split(",").map((f) => f.trim());
    if (fields.length < 4) throw unparsable(line, "expected 4 fields");
    const uuid = fields[fields.length - 1];
    const driver = fields[fields.length - 2];
    const memory = fields[fields.length - 3];
    const model = fields.slice(0, fields.length - 3).join(", ");
    const mib = /^(\d+)\s*MiB$/i.exec(memory);
    if (!mib) throw unparsable(line, `memory "${memory}" is not "<n> MiB"`);
    if (model === "" || driver === "" || uuid === "") throw unparsable(line, "an empty field");
    gpus.push({ model, vramMiB: Number(mib[1]), driver, uuid });
  }
  return gpus;
}

function unparsable(line: string, reason: string): RigelError {
  return new RigelError("GPU_QUERY_UNPARSABLE", `cannot read nvidia-smi line: ${reason}`, { details: { line } });
}
