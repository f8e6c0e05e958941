import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The oracle's own metrics (HTTP requests and latency come from sdk/service/startHttpService). */
export interface OracleMetrics {
  verdicts: Counter<"verdict">;
  verifySeconds: Histogram<"kind">;
  chainLagBlocks: Gauge;
  refused: Counter<"code">;
  /** Leaves per settled verdict batch (PROTOCOL §20.6). */
  batchLeaves: Histogram;
  /** From a batch's oldest leaf joining it to its settlement mined. */
  batchLatencySeconds: Histogram;
  /** Shards whose settlement this relay sent, by path (batch, single). */
  settlements: Counter<"path">;
  /** Heartbeats posted to this oracle, by result (accepted, or why refused; PROTOCOL §12.6). */
  heartbeats: Counter<"result">;
}

export function createOracleMetrics(registry: Registry): OracleMetrics {
  return {
    verdicts: new Counter({
      name: "rigel_oracle_verdicts_total",
      help: "Shard verdicts signed, by verdict (valid, invalid, developer_fault)",
      labelNames: ["verdict"],
      registers: [registry],
    }),
    verifySeconds: new Histogram({
      name: "rigel_oracle_verify_seconds",
      help: "Time to verify one proof, by kind",
      labelNames: ["kind"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [registry],
    }),
    chainLagBlocks: new Gauge({
      name: "rigel_oracle_chain_lag_blocks",
      help: "Blocks between the chain head and the watcher's last handled block",
      registers: [registry],
    }),
    refused: new Counter({
      name: "rigel_oracle_refused_total",
      help: "Requests refused with a 4xx, by error code",
      labelNames: ["code"],
      registers: [registry],
    }),
    batchLeaves: new Histogram({
      name: "rigel_oracle_batch_leaves",
      help: "Leaves (shards) per settled verdict batch",
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    batchLatencySeconds: new Histogram({
      name: "rigel_oracle_batch_latency_seconds",
      help: "Time from a batch's oldest leaf to its settleVerdicts transaction mined",
      buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 30, 60],
      registers: [registry],
    }),
    settlements: new Counter({
      name: "rigel_oracle_relayed_shards_total",
      help: "Shards whose settlement this relay sent, by path (batch: settleVerdicts, single: settle)",
      labelNames: ["path"],
      registers: [registry],
    }),
    heartbeats: new Counter({
      name: "rigel_oracle_heartbeats_total",
      help: "Operator heartbeats posted, by result (accepted, bad_signature, unregistered, clock_skew, too_large, rate_limited, invalid, error)",
      labelNames: ["result"],
      registers: [registry],
    }),
  };
}
