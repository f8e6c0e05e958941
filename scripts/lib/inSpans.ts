/** A block range, both ends included. */
export interface BlockRange {
  fromBlock: bigint;
  toBlock: bigint;
}

/**
 * Blocks per log query: a 3,000-job load run's market events (each job's spec is in its event) came
 * to 17.7 MB in one answer, above viem's 10 MB limit on an RPC response.
 */
export const LOG_SPAN = 1000n;

/** `read` over `range` in consecutive spans of at most `span` blocks, the results in block order. */
export async function inSpans<T>(
  range: BlockRange,
  read: (span: BlockRange) => Promise<T[]>,
  span: bigint = LOG_SPAN,
): Promise<T[]> {
  if (span < 1n) throw new Error(`span must be at least one block, not ${span}`);
  const out: T[] = [];
  for (let from = range.fromBlock; from <= range.toBlock; from += span) {
    const to = from + span - 1n < range.toBlock ? from + span - 1n : range.toBlock;
    out.push(...(await read({ fromBlock: from, toBlock: to })));
  }
  return out;
}
