import type { Address } from "viem";
import { useSlashes } from "../chain/pageQueries";
import { formatTime, formatToken, shortAddress } from "../lib/format";

/** Each slash and jail of the operator in plain words: which shard, what the oracles found, how much, the transaction. */
export function SlashExplanations({ operator, now }: { operator: Address; now: bigint | undefined }) {
  const slashes = useSlashes(operator);
  if (!slashes.data) return null;
  if (slashes.data.length === 0)
    return (
      <p className="muted" data-testid="slashes-none">
        Never slashed.
      </p>
    );
  return (
    <ul data-testid="slashes">
      {slashes.data.map((s) => (
        <li key={s.transactionHash} data-testid="slash">
          {formatTime(s.at)}: {s.jobId !== undefined ? `job #${s.jobId.toString()} shard ${s.shard}` : "a shard"}:{" "}
          {s.finding}. Slashed {formatToken(s.fromSelf + s.fromPool)} ({formatToken(s.fromSelf)} of your stake,{" "}
          {formatToken(s.fromPool)} of the delegators' pool): {formatToken(s.toRecipient)} paid to{" "}
          {shortAddress(s.recipient)}, {formatToken(s.burned)} burned.{" "}
          {s.jailedUntil > 0n
            ? `Jailed until ${formatTime(s.jailedUntil)}${now !== undefined && s.jailedUntil <= now ? " (over)" : ""}: it takes no new shards until then. `
            : ""}
          Transaction{" "}
          <span className="mono" data-testid="slash-tx">
            {s.transactionHash}
          </span>
        </li>
      ))}
    </ul>
  );
}
