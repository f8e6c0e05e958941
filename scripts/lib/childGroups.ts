// Stopping everything a script started when it is interrupted (`npm run demo`, `npm run load`): each
// service runs in its own process group (scripts/lib/processes.ts, spawnNode.ts), so a Ctrl-C in the
// terminal reaches only the script; the script then signals the group of each of its direct
// children. Linux (/proc) only; elsewhere the script relies on `network.stop()`.
import fs from "node:fs";

/** The pids whose parent is `parent` (default: this process), read from /proc. */
export function childPids(parent: number = process.pid): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const e of entries) {
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) children.push(Number(e));
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

/** Whether the process `pid` exists (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig); // its process group, when it leads one
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/** SIGTERM the group of every child of this process, SIGKILL after `graceMs`; resolves when all are gone. */
export async function stopChildGroups(graceMs = 10_000): Promise<number[]> {
  const pids = childPids();
  for (const pid of pids) signal(pid, "SIGTERM");
  const until = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(alive)) signal(pid, "SIGKILL");
  return pids;
}
