// CPU seconds of the load's processes (the node, each oracle and agent, the load itself), read from
// /proc/<pid>/stat (utime + stime, in clock ticks) at the first create and at the end: where the
// machine's cores went during the run. Linux only; elsewhere every reading is undefined.
import fs from "node:fs";

/** Clock ticks per second of /proc's counters (USER_HZ: 100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process has used so far, or undefined when it cannot be read. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: the fields after it start past its closing ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** A snapshot of named processes' CPU seconds; `since` gives each one's CPU seconds after it. */
export function cpuSnapshot(processes: Record<string, number>): {
  since(): Record<string, number>;
} {
  const start = new Map(Object.entries(processes).map(([name, pid]) => [name, processCpuSeconds(pid)]));
  return {
    since() {
      const out: Record<string, number> = {};
      for (const [name, pid] of Object.entries(processes)) {
        const before = start.get(name);
        const now = processCpuSeconds(pid);
        if (before !== undefined && now !== undefined) out[name] = now - before;
      }
      return out;
    },
  };
}
