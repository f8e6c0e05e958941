/** A whole-number field read from the form: its value within bounds, and what was changed or wrong. */
export interface ClampedInt {
  value: number;
  /** Set when the typed number was out of bounds and was moved to the nearest bound. */
  note?: string;
  /** Set when the text is no whole number at all (the value is then the lower bound). */
  problem?: string;
}

/**
 * A whole number typed in a form field, clamped into `[min, max]` with a sentence saying so
 * (`Max shards: 100 is above the most, 64; using 64.`). Text that is no whole number is a problem,
 * not clamped. Empty text takes `fallback` when one is given.
 */
export function clampInt(text: string, { label, min, max, fallback }: ClampBounds): ClampedInt {
  const trimmed = text.trim().replace(/[,_ ](?=\d{3}\b)/g, "");
  if (trimmed === "" && fallback !== undefined) return { value: fallback };
  const n = Number(trimmed);
  if (trimmed === "" || !Number.isFinite(n) || !Number.isInteger(n)) {
    return { value: min, problem: `${label} must be a whole number from ${fmt(min)} to ${fmt(max)}` };
  }
  if (n < min) return { value: min, note: `${label}: ${fmt(n)} is below the least, ${fmt(min)}; using ${fmt(min)}.` };
  if (n > max) return { value: max, note: `${label}: ${fmt(n)} is above the most, ${fmt(max)}; using ${fmt(max)}.` };
  return { value: n };
}

/** The bounds and name of a field for {@link clampInt}. */
export interface ClampBounds {
  label: string;
  min: number;
  max: number;
  fallback?: number;
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}
