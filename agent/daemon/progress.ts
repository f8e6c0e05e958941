/** Where progress goes: a terminal (one line per shard, rewritten) or plain lines. */
export interface Progress {
  update(key: string, phase: string, detail?: string): void;
  done(key: string, outcome: string): void;
}

/**
 * Progress of long work: on a TTY, one live line per shard in flight (shard, phase, elapsed, what is
 * left), redrawn in place; otherwise one plain line per phase change.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY);
  const lines = new Map<string, { phase: string; detail: string; since: number; started: number }>();
  let drawn = 0;
  const left = (phase: string) => {
    const order = [
      "accepting",
      "running",
      "generate",
      "compute",
      "commit",
      "ran",
      "submitting",
      "claiming",
      "submitted",
      "proving",
      "attested",
      "settling",
    ];
    // A claimed shard (§20.10) goes from claiming to its settlement: no submission, no proving.
    if (phase === "claiming") return "left: settling";
    const at = order.indexOf(phase);
    return at < 0
      ? ""
      : `left: ${
          order
            .slice(at + 1)
            // `claiming` replaces submitted/proving for a claimed shard (§20.10): never shown as left.
            .filter((p) => !["generate", "compute", "commit", "ran", "claiming", "submitted", "attested"].includes(p))
            .join(" → ") || "—"
        }`;
  };
  const redraw = () => {
    if (!tty) return;
    if (drawn > 0) stream.write(`\x1b[${drawn}A\x1b[J`);
    const now = Date.now();
    for (const [key, l] of lines) {
      stream.write(
        `${key.padEnd(14)} ${l.phase.padEnd(11)} ${((now - l.started) / 1000).toFixed(1).padStart(7)}s  ${l.detail} ${left(l.phase)}\n`,
      );
    }
    drawn = lines.size;
  };
  return {
    update(key, phase, detail = "") {
      const prev = lines.get(key);
      lines.set(key, { phase, detail, since: Date.now(), started: prev?.started ?? Date.now() });
      if (tty) redraw();
      else
        stream.write(
          `progress shard=${key} phase=${phase}${detail ? ` ${detail}` : ""} elapsed=${((Date.now() - (prev?.started ?? Date.now())) / 1000).toFixed(1)}s\n`,
        );
    },
    done(key, outcome) {
      const prev = lines.get(key);
      lines.delete(key);
      if (tty) {
        redraw();
        stream.write(`${key} ${outcome}\n`);
        drawn = Math.max(0, drawn);
      } else {
        stream.write(
          `progress shard=${key} outcome=${outcome} elapsed=${((Date.now() - (prev?.started ?? Date.now())) / 1000).toFixed(1)}s\n`,
        );
      }
    },
  };
}
