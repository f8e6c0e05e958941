/** A range of past epochs: a count, or every epoch since genesis. */
export type EpochRange = { kind: "epochs"; count: number } | { kind: "days"; count: number } | { kind: "all" };

/** The choices every chart and yield window of the pages offers. */
export const EPOCH_RANGES: { id: string; label: string; range: EpochRange }[] = [
  { id: "24", label: "last 24 epochs", range: { kind: "epochs", count: 24 } },
  { id: "100", label: "last 100 epochs", range: { kind: "epochs", count: 100 } },
  { id: "1d", label: "last day", range: { kind: "days", count: 1 } },
  { id: "7d", label: "last 7 days", range: { kind: "days", count: 7 } },
  { id: "all", label: "all epochs", range: { kind: "all" } },
];

/** How many epochs (at least 1) a range holds before `currentEpoch`. */
export function epochsOf(range: EpochRange, epochLength: bigint, currentEpoch: bigint): bigint {
  const n =
    range.kind === "all"
      ? currentEpoch
      : range.kind === "epochs"
        ? BigInt(range.count)
        : (BigInt(range.count) * 86_400n + epochLength - 1n) / (epochLength === 0n ? 1n : epochLength);
  return n < 1n ? 1n : n;
}

/** A `<select>` of {@link EPOCH_RANGES}. */
export function RangeSelect({
  value,
  onChange,
  testId,
  label,
}: {
  value: string;
  onChange: (id: string) => void;
  testId: string;
  label: string;
}) {
  return (
    <label>
      {label}{" "}
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {EPOCH_RANGES.map((r) => (
          <option key={r.id} value={r.id}>
            {r.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The range of an id of {@link EPOCH_RANGES} (the first when unknown). */
export function rangeOf(id: string): EpochRange {
  return (EPOCH_RANGES.find((r) => r.id === id) ?? EPOCH_RANGES[0]!).range;
}
