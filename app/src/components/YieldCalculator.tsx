import { useState } from "react";
import { parseUnits, type Address } from "viem";
import type { OperatorRow } from "../chain/readOperators";
import type { OperatorSettledEpoch } from "../chain/readSettledEpochs";
import { formatDuration, formatToken, shortAddress } from "../lib/format";
import { expectedDelegationReward, SECONDS_PER_YEAR, yieldOverWindow } from "../lib/yieldOverWindow";
import { epochsOf, rangeOf, RangeSelect } from "./RangeSelect";

/**
 * What a delegation would earn: amount, operator and window → expected RGL per epoch and per year,
 * with the assumptions printed (PROTOCOL §16.8).
 */
export function YieldCalculator({
  operators,
  settled,
  currentEpoch,
  epochLength,
}: {
  operators: OperatorRow[];
  settled: Map<string, OperatorSettledEpoch[]>;
  currentEpoch: bigint;
  epochLength: bigint;
}) {
  const [text, setText] = useState("100");
  const [chosen, setChosen] = useState<Address | "">("");
  const [rangeId, setRangeId] = useState("7d");
  const operator = operators.find((o) => o.address === chosen) ?? operators[0];
  if (!operator) return null;
  let amount = 0n;
  try {
    amount = text.trim() ? parseUnits(text.trim(), 18) : 0n;
  } catch {
    amount = -1n;
  }
  const stake = operator.selfStake + operator.delegated;
  const w = yieldOverWindow({
    settled: settled.get(operator.address.toLowerCase()) ?? [],
    currentEpoch,
    windowEpochs: epochsOf(rangeOf(rangeId), epochLength, currentEpoch),
    epochLength,
    stake,
  });
  const r =
    amount > 0n
      ? expectedDelegationReward({
          amount,
          afterCommissionSum: w.afterCommissionSum,
          epochs: w.epochs,
          stake,
          epochLength,
        })
      : undefined;
  return (
    <div className="card" data-testid="yield-calculator">
      <div className="inline-form">
        <label>
          Amount (RGL){" "}
          <input value={text} onChange={(e) => setText(e.target.value)} inputMode="decimal" data-testid="calc-amount" />
        </label>
        <label>
          Operator{" "}
          <select
            value={operator.address}
            onChange={(e) => setChosen(e.target.value as Address)}
            data-testid="calc-operator"
          >
            {operators.map((o) => (
              <option key={o.address} value={o.address}>
                {shortAddress(o.address)}
              </option>
            ))}
          </select>
        </label>
        <RangeSelect value={rangeId} onChange={setRangeId} testId="calc-window" label="Window" />
      </div>
      {amount < 0n ? (
        <p className="error">Not an amount: write RGL, e.g. 100 or 12.5.</p>
      ) : r ? (
        <p>
          Expected <strong data-testid="calc-per-epoch">{formatToken(r.perEpoch)}</strong> per epoch,{" "}
          <strong data-testid="calc-per-year">{formatToken(r.perYear)}</strong> per year.
        </p>
      ) : (
        <p className="muted">Enter an amount.</p>
      )}
      <p className="explain" data-testid="calc-assumptions">
        Assumes the operator keeps earning what it earned after commission over epochs {w.first.toString()}–
        {w.last.toString()} ({w.epochs.toString()} epochs of {formatDuration(epochLength)}:{" "}
        {formatToken(w.afterCommissionSum)} in all), that your RGL joins its stake of {formatToken(stake)} and shares
        the pool part pro rata, that the commission stays as it is, and no slash. Your delegation starts earning when
        the current epoch ends. Per epoch = Σ(reward − commission) / N × amount / (stake + amount); per year = per epoch
        × {(SECONDS_PER_YEAR / (epochLength || 1n)).toString()} epochs.
      </p>
    </div>
  );
}
