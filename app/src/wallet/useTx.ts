import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import type { Hash } from "viem";
import { useConfig } from "wagmi";
import { waitForTransactionReceipt } from "wagmi/actions";
import { decodeError, type DecodedError } from "../lib/decodeError";

/** Where one user action stands: waiting for the wallet, mined or not, and why it failed. */
export type TxState =
  | { status: "idle" }
  | { status: "signing"; label: string }
  | { status: "pending"; label: string; hash: Hash }
  | { status: "confirmed"; label: string; hash?: Hash }
  | { status: "failed"; label: string; error: DecodedError };

/**
 * The steps of one action: `send` a transaction and wait for its receipt, or `ask` a signature; or
 * `report` the steps of a flow that sends and waits itself (sdk `createJob`): without a hash the
 * wallet is being asked, with one the transaction is pending.
 */
export interface TxSteps {
  send: (label: string, send: () => Promise<Hash>) => Promise<void>;
  ask: <T>(label: string, ask: () => Promise<T>) => Promise<T>;
  report: (label: string, hash?: Hash) => void;
}

/** The reverted receipt of a transaction that was mined but failed. */
class TxRevertedError extends Error {
  constructor(hash: Hash) {
    super(`transaction ${hash} reverted`);
  }
}

/**
 * One user action of one or more steps (approve, then create). Every step shows "waiting for the
 * wallet", then "pending" with its hash, and the action ends "confirmed" or "failed" with the
 * reason decoded from the custom error. Every query is refreshed after a confirmed action.
 */
export function useTx(): {
  state: TxState;
  run: (label: string, steps: (step: TxSteps) => Promise<void>) => Promise<boolean>;
} {
  const config = useConfig();
  const queryClient = useQueryClient();
  const [state, setState] = useState<TxState>({ status: "idle" });
  const run = useCallback(
    async (label: string, steps: (step: TxSteps) => Promise<void>) => {
      let current = label;
      let lastHash: Hash | undefined;
      const step: TxSteps = {
        send: async (stepLabel, send) => {
          current = stepLabel;
          setState({ status: "signing", label: stepLabel });
          const hash = await send();
          lastHash = hash;
          setState({ status: "pending", label: stepLabel, hash });
          const receipt = await waitForTransactionReceipt(config, { hash, pollingInterval: 500 });
          if (receipt.status !== "success") throw new TxRevertedError(hash);
        },
        ask: async (stepLabel, ask) => {
          current = stepLabel;
          setState({ status: "signing", label: stepLabel });
          return ask();
        },
        report: (stepLabel, hash) => {
          current = stepLabel;
          if (hash === undefined) {
            setState({ status: "signing", label: stepLabel });
            return;
          }
          lastHash = hash;
          setState({ status: "pending", label: stepLabel, hash });
        },
      };
      try {
        await steps(step);
        setState({ status: "confirmed", label, hash: lastHash });
        await queryClient.invalidateQueries();
        return true;
      } catch (err) {
        setState({ status: "failed", label: current, error: decodeError(err) });
        await queryClient.invalidateQueries();
        return false;
      }
    },
    [config, queryClient],
  );
  return { state, run };
}
