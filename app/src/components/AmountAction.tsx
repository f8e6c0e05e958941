import { useState } from "react";
import { formatUnits, parseUnits } from "viem";

/**
 * An amount field (RGL) with one button; the button is off until the amount parses above zero.
 * With `max`, an amount above it is refused with `maxMessage` ("you have 40 RGL delegated to this
 * operator") and a "max" button fills in `max`.
 */
export function AmountAction({
  label,
  testId,
  disabled,
  onSubmit,
  placeholder = "amount in RGL",
  max,
  maxMessage,
}: {
  label: string;
  testId: string;
  disabled?: boolean;
  onSubmit: (amount: bigint) => void;
  placeholder?: string;
  max?: bigint;
  maxMessage?: string;
}) {
  const [text, setText] = useState("");
  let amount: bigint | undefined;
  try {
    amount = text.trim() ? parseUnits(text.trim(), 18) : undefined;
  } catch {
    amount = undefined;
  }
  const over = max !== undefined && amount !== undefined && amount > max;
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (amount !== undefined && amount > 0n && !over) onSubmit(amount);
      }}
    >
      <input
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={placeholder}
        inputMode="decimal"
        data-testid={`${testId}-amount`}
        aria-label={`${label} amount`}
      />
      {max !== undefined && (
        <button
          type="button"
          className="secondary"
          data-testid={`${testId}-max`}
          disabled={max === 0n}
          onClick={() => setText(formatUnits(max, 18))}
        >
          max
        </button>
      )}
      <button type="submit" disabled={disabled || amount === undefined || amount <= 0n || over} data-testid={testId}>
        {label}
      </button>
      {over && (
        <small className="error" data-testid={`${testId}-limit`}>
          {maxMessage ?? "more than you have"}
        </small>
      )}
    </form>
  );
}
