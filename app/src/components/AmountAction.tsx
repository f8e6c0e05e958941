import { useState } from "react";
import { parseUnits } from "viem";

/** An amount field (RGL) with one button; the button is off until the amount parses above zero. */
export function AmountAction({
  label,
  testId,
  disabled,
  onSubmit,
  placeholder = "amount in RGL",
}: {
  label: string;
  testId: string;
  disabled?: boolean;
  onSubmit: (amount: bigint) => void;
  placeholder?: string;
}) {
  const [text, setText] = useState("");
  let amount: bigint | undefined;
  try {
    amount = text.trim() ? parseUnits(text.trim(), 18) : undefined;
  } catch {
    amount = undefined;
  }
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (amount !== undefined && amount > 0n) onSubmit(amount);
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
      <button type="submit" disabled={disabled || amount === undefined || amount <= 0n} data-testid={testId}>
        {label}
      </button>
    </form>
  );
}
