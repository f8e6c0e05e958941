// `rigel job status --indexer URL` (or RIGEL_INDEXER_URL): each final shard's credit from the
// indexer's `/v1/jobs/:jobId` (PROTOCOL §21.3) instead of a log scan from the deployment block; the
// same answer as readShardCredits.
import { getAddress } from "viem";
import { RigelError } from "../sdk/errors/RigelError";
import type { ShardCredit } from "./readShardCredits";

const OUTCOMES: Record<string, ShardCredit["outcome"]> = {
  settled: "settled",
  "developer fault": "developer-fault",
  failed: "failed",
  cancelled: "cancelled",
  expired: "expired",
};

interface IndexedShard {
  shard: number;
  state: string;
  operator: string | null;
  paid: string;
  fee: string;
  refund: string;
}

/** Every final shard's outcome and credit of `jobId`, by shard, as the indexer has it. */
export async function readShardCreditsFromIndexer(
  indexerUrl: string,
  jobId: bigint,
): Promise<Map<number, ShardCredit>> {
  let res: Response;
  try {
    res = await fetch(`${indexerUrl}/v1/jobs/${jobId}`);
  } catch (err) {
    throw new RigelError("INDEXER_UNREACHABLE", `no indexer answers at ${indexerUrl}`, { cause: err });
  }
  const credits = new Map<number, ShardCredit>();
  if (res.status === 404) return credits; // not indexed yet: no outcome known
  if (!res.ok) throw new RigelError("INDEXER_ERROR", `the indexer at ${indexerUrl} answered HTTP ${res.status}`);
  const body = (await res.json()) as { shards: IndexedShard[] };
  for (const s of body.shards) {
    const outcome = OUTCOMES[s.state];
    if (!outcome) continue;
    const paidOutcome = outcome === "settled" || outcome === "developer-fault";
    credits.set(s.shard, {
      shard: s.shard,
      outcome,
      ...(outcome !== "cancelled" && s.operator ? { operator: getAddress(s.operator) } : {}),
      paid: paidOutcome ? BigInt(s.paid) : 0n,
      fee: paidOutcome ? BigInt(s.fee) : 0n,
      refund: BigInt(s.refund),
    });
  }
  return credits;
}
