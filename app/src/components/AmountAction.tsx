import { useState } from "react";
import { formatUnits, parseUnits } from "viem";
import { amountActionReason } from "../lib/spendCheck";
import { useReadyWallet } from "./ConnectBar";
import { useWalletFunds, WalletBalances } from "./WalletBalances";

/**
 * An amount field (RGL) with one button, the wallet's RGL and ETH beside it (PROTOCOL §16.7). The
 * button is off until the amount parses above zero, and says why when it is off (title and a
 * visible line): `disabledReason` from the caller, else the amount's own problem. With `max`, an
 * amount above it is refused with `maxMessage` ("you have 40 RGL delegated to this operator") and a
 * "max" button fills in `max` (PROTOCOL §16.8).
 */
export function AmountAction({
  label,
  testId,
  disabled,
  disabledReason,
  onSubmit,
  placeholder = "amount in RGL",
  max,
  maxMessage,
}: {
  label: string;
  testId: string;
  disabled?: boolean;
  /** Why `disabled` holds (shown on the button and beside it); a generic sentence when absent. */
  disabledReason?: string;
  onSubmit: (amount: bigint) => void;
  placeholder?: string;
  max?: bigint;
  maxMessage?: string;
}) {
  const [text, setText] = useState("");
  const account = useReadyWallet();
  const funds = useWalletFunds(account);
  let amount: bigint | undefined;
  try {
    amount = text.trim() ? parseUnits(text.trim(), 18) : undefined;
  } catch {
    amount = undefined;
  }
  const over = max !== undefined && amount !== undefined && amount > max;
  const why = amountActionReason({ account, disabled, disabledReason, text, amount, label });
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (why === undefined && !over && amount !== undefined) onSubmit(amount);
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
      <button
        type="submit"
        disabled={why !== undefined || over}
        title={why ?? (over ? (maxMessage ?? "more than you have") : label)}
        data-testid={testId}
      >
        {label}
      </button>
      {account && <WalletBalances funds={funds} testId={`${testId}-balances`} />}
      {why !== undefined && (
        <span className="muted why" data-testid={`${testId}-why`}>
          {why}
        </span>
      )}
      {over && (
        <small className="error" data-testid={`${testId}-limit`}>
          {maxMessage ?? "more than you have"}
        </small>
      )}
    </form>
  );
}
