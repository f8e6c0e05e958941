import type { Protocol } from "../../../fixtures/protocolFixture";

/**
 * The result URI a shard was submitted with: emitted in `ShardSubmitted`, not stored (PROTOCOL §20.3).
 * Throws when the shard has no submission.
 */
export async function resultUriOf(p: Protocol, jobId: bigint, shard: number): Promise<string> {
  const events = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId, shard));
  if (events.length === 0) throw new Error(`shard ${jobId}/${shard} was never submitted`);
  return events[events.length - 1].args.resultURI;
}
