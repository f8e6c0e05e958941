// `rigel agent status --indexer URL` (or RIGEL_INDEXER_URL): the operator's history from the indexer
// (PROTOCOL §21.3): rewards of its last settled epochs and its shard outcomes, as extra table rows.
import type { Address } from "viem";

interface IndexedOperator {
  shardsSettled: number;
  shardsFailed: number;
  shardsExpired: number;
  shardsDeveloperFault: number;
  slashCount: number;
  rewardsTotal: string;
}

interface IndexedEpoch {
  epoch: string;
  settled: boolean;
  reward: string;
}

async function getJson<T>(url: string): Promise<T | undefined> {
  const res = await fetch(url);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`the indexer answered ${url} with HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Rows for the status table; one row saying why when the indexer does not answer. */
export async function indexedStatusRows(
  indexerUrl: string,
  operator: Address,
  rgl: (wei: bigint) => string,
  lastEpochs = 5,
): Promise<[string, string][]> {
  try {
    const [op, rewards] = await Promise.all([
      getJson<IndexedOperator>(`${indexerUrl}/v1/operators/${operator}`),
      getJson<{ epochs: IndexedEpoch[] }>(`${indexerUrl}/v1/operators/${operator}/rewards-per-epoch`),
    ]);
    if (!op) return [["indexer", `${indexerUrl}: operator not indexed (yet)`]];
    const settled = (rewards?.epochs ?? []).filter((e) => e.settled).slice(-lastEpochs);
    return [
      ["indexer", indexerUrl],
      [
        "shards (indexer)",
        `settled ${op.shardsSettled}, failed ${op.shardsFailed}, expired ${op.shardsExpired}, developer fault ${op.shardsDeveloperFault}; slashes ${op.slashCount}`,
      ],
      ["rewards minted (indexer)", rgl(BigInt(op.rewardsTotal))],
      [
        `rewards, last ${lastEpochs} epochs`,
        settled.length ? settled.map((e) => `${e.epoch}: ${rgl(BigInt(e.reward))}`).join(", ") : "none settled",
      ],
    ];
  } catch (err) {
    return [["indexer", `${indexerUrl} did not answer (${err instanceof Error ? err.message : String(err)})`]];
  }
}
