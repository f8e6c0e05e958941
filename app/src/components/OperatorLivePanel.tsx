import type { Address } from "viem";
import { DEFAULT_LIVENESS_WINDOW_SEC } from "../../../sdk/liveness/heartbeat";
import { formatAge, livenessOf } from "../../../sdk/liveness/liveness";
import { useLiveness } from "../chain/readLiveness";
import { formatTime, formatVram } from "../lib/format";
import { useRigel } from "../RigelContext";

/**
 * The node's live state from its last heartbeat through the oracles of `rigel.json` (PROTOCOL
 * §12.6): online or offline with when it was last seen, its GPUs, shards in flight and recent
 * failures with their reasons.
 */
export function OperatorLivePanel({ operator }: { operator: Address }) {
  const { livenessWindowSec = DEFAULT_LIVENESS_WINDOW_SEC } = useRigel();
  const liveness = useLiveness();
  if (!liveness.configured || liveness.unknownReason)
    return (
      <p className="muted" data-testid="live-unknown">
        Live state unknown: {liveness.unknownReason ?? "no oracle answered yet"}.
      </p>
    );
  if (!liveness.data) return <p className="muted">Asking the oracles…</p>;
  const hb = liveness.data.heartbeats.get(operator.toLowerCase());
  const nowSec = Math.floor(Date.now() / 1000);
  const state = livenessOf(hb, nowSec, livenessWindowSec);
  return (
    <div className="card" data-testid="live-state">
      <p>
        <strong className={state.online ? "online" : "offline"} data-testid="live-status">
          {state.online ? "online" : "offline"}
        </strong>{" "}
        <span data-testid="live-last-seen">
          {state.lastSeen !== undefined
            ? `last heartbeat ${formatAge(nowSec - state.lastSeen)} ago (${formatTime(BigInt(state.lastSeen))})`
            : state.reason}
        </span>
        <span className="muted">
          {" "}
          · online means a heartbeat within the last {livenessWindowSec} s, as {liveness.data.answered.length} oracle
          {liveness.data.answered.length === 1 ? "" : "s"} saw it
        </span>
      </p>
      {hb && (
        <>
          <p data-testid="live-agent">
            Agent {hb.agentVersion} ·{" "}
            {hb.acceptingWork
              ? "accepting work"
              : `not accepting work${hb.declineReasons?.length ? `: ${hb.declineReasons.join("; ")}` : ""}`}
          </p>
          <div className="table-wrap">
            <table data-testid="live-gpus">
              <thead>
                <tr>
                  <th>GPU</th>
                  <th>Model</th>
                  <th>VRAM</th>
                  <th>Utilisation</th>
                </tr>
              </thead>
              <tbody>
                {hb.gpus.length === 0 ? (
                  <tr>
                    <td colSpan={4}>no GPU reported (CPU only)</td>
                  </tr>
                ) : (
                  hb.gpus.map((g) => (
                    <tr key={g.index}>
                      <td>{g.index}</td>
                      <td>{g.model}</td>
                      <td>{formatVram(g.vramMiB)}</td>
                      <td>{g.utilisationPct === null ? "unknown" : `${g.utilisationPct}%`}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <p data-testid="live-in-flight">
            Shards in flight:{" "}
            {hb.shardsInFlight.length === 0
              ? "none"
              : hb.shardsInFlight.map((s) => `job #${s.jobId} shard ${s.shard} (${s.phase})`).join(", ")}
          </p>
          <div data-testid="live-failures">
            Recent failures:{" "}
            {hb.recentFailures.length === 0 ? (
              "none"
            ) : (
              <ul>
                {[...hb.recentFailures].reverse().map((f) => (
                  <li key={`${f.jobId}:${f.shard}:${f.at}`}>
                    {formatTime(BigInt(f.at))}: job #{f.jobId} shard {f.shard}: {f.reason} ({f.code})
                  </li>
                ))}
              </ul>
            )}
          </div>
        </>
      )}
    </div>
  );
}
