import { useState } from "react";
import type { Address } from "viem";
import { useRewardsOverview } from "../chain/queries";
import { useSettledEpochs, useWorkPayments } from "../chain/pageQueries";
import { earningsByEpoch } from "../lib/earningsByEpoch";
import { epochWindow } from "../lib/yieldOverWindow";
import { formatToken } from "../lib/format";
import { EarningsChart } from "./EarningsChart";
import { epochsOf, rangeOf, RangeSelect } from "./RangeSelect";

/** Earnings over time: work payments and rewards per epoch over a chosen range, with the totals. */
export function OperatorEarnings({ operator }: { operator: Address }) {
  const [rangeId, setRangeId] = useState("24");
  const overview = useRewardsOverview();
  const settled = useSettledEpochs();
  const payments = useWorkPayments(operator);
  const o = overview.data;
  if (!o || !settled.data || !payments.data) return <p className="muted">Loading earnings…</p>;
  // The chart runs through the current epoch (work paid in it shows at once; its reward settles later).
  const n = epochsOf(rangeOf(rangeId), o.epochLength, o.currentEpoch);
  const { first } = epochWindow(o.currentEpoch + 1n, n);
  const rows = earningsByEpoch(
    settled.data.get(operator.toLowerCase()) ?? [],
    payments.data,
    o.genesis,
    o.epochLength,
    first,
    o.currentEpoch,
  );
  const work = rows.reduce((s, r) => s + r.work, 0n);
  const rewards = rows.reduce((s, r) => s + r.rewards, 0n);
  return (
    <div data-testid="operator-earnings">
      <p>
        <RangeSelect value={rangeId} onChange={setRangeId} testId="earnings-range" label="Range" />{" "}
        <span data-testid="earnings-total">
          epochs {first.toString()}–{o.currentEpoch.toString()}: {formatToken(work)} for work, {formatToken(rewards)} in
          rewards
        </span>
      </p>
      <EarningsChart rows={rows} />
    </div>
  );
}
