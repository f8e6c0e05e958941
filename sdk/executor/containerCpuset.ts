import fs from "node:fs";
import os from "node:os";
import { RigelError } from "../errors/RigelError";
import type { ContainerJobSpec } from "../spec/jobSpecTypes";

/** The spec asks for more CPUs than the host has: the container is never created. */
export class NotEnoughCpusError extends RigelError {
  override readonly name = "NotEnoughCpusError";
  constructor(cpus: number, host: number) {
    super("EXECUTOR_NOT_ENOUGH_CPUS", `the spec asks for ${cpus} CPUs and this host has ${host}`, {
      details: { cpus, hostCpus: host },
    });
  }
}

/** The whole CPUs a container spec asks for: ⌈milliCpus / 1000⌉ (what `nproc` reads inside). */
export function containerCpus(spec: Pick<ContainerJobSpec, "milliCpus">): number {
  return Math.ceil(spec.milliCpus / 1000);
}

/** Expands a Linux CPU list (`0-3,8,10-11`) into ids. */
function parseCpuList(list: string): number[] {
  const ids: number[] = [];
  for (const part of list.trim().split(",")) {
    if (part === "") continue;
    const [a, b] = part.split("-").map(Number);
    for (let i = a; i <= (b ?? a); i++) ids.push(i);
  }
  return ids;
}

/** The host's online CPU ids (Linux `/sys/devices/system/cpu/online`; elsewhere 0 … os.cpus() − 1). */
export function hostCpuIds(): number[] {
  try {
    const ids = parseCpuList(fs.readFileSync("/sys/devices/system/cpu/online", "utf8"));
    if (ids.length > 0 && ids.every(Number.isInteger)) return ids;
  } catch {
    // Not Linux, or /sys not mounted: count them instead.
  }
  return Array.from({ length: os.cpus().length }, (_, i) => i);
}

/** The arguments of {@link containerCpuset}. */
export interface ContainerCpusetParameters {
  spec: Pick<ContainerJobSpec, "milliCpus">;
  /** The host's CPU ids (default {@link hostCpuIds}). */
  hostCpus?: readonly number[];
  /** Spreads containers over the host: the same key always starts at the same CPU (e.g. job/shard/item). */
  key: string;
}

/**
 * The `CpusetCpus` of a container (PROTOCOL §12.3): exactly `⌈milliCpus / 1000⌉` of the host's CPUs,
 * so that `nproc` inside reads the spec's CPUs on every host (agent and oracle alike); which ones is
 * a hash of `key`, so concurrent containers of different shards tend to land on different CPUs.
 * The `NanoCpus` limit still caps the time they use.
 * @throws NotEnoughCpusError when the host has fewer CPUs than the spec asks for.
 */
export function containerCpuset(p: ContainerCpusetParameters): string {
  const host = p.hostCpus ?? hostCpuIds();
  const cpus = containerCpus(p.spec);
  if (cpus > host.length) throw new NotEnoughCpusError(cpus, host.length);
  let h = 2166136261;
  for (let i = 0; i < p.key.length; i++) h = Math.imul(h ^ p.key.charCodeAt(i), 16777619) >>> 0;
  const first = h % host.length;
  const chosen = Array.from({ length: cpus }, (_, i) => host[(first + i) % host.length]);
  return chosen.sort((a, b) => a - b).join(",");
}
