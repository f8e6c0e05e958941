import type { TxState } from "../wallet/useTx";
import { shortAddress } from "../lib/format";

/** The state line under an action's button. */
export function TxStatus({ state }: { state: TxState }) {
  switch (state.status) {
    case "idle":
      return null;
    case "signing":
      return (
        <p className="tx tx-signing" data-testid="tx-status" role="status">
          {state.label}: confirm in your wallet…
        </p>
      );
    case "pending":
      return (
        <p className="tx tx-pending" data-testid="tx-status" role="status">
          {state.label}: pending ({shortAddress(state.hash)})…
        </p>
      );
    case "confirmed":
      return (
        <p className="tx tx-confirmed" data-testid="tx-status" role="status">
          {state.label}: confirmed{state.hash ? ` (${shortAddress(state.hash)})` : ""}.
        </p>
      );
    case "failed":
      return (
        <p className="tx tx-failed" data-testid="tx-status" role="alert">
          {state.label} failed: {state.error.message}
        </p>
      );
  }
}
