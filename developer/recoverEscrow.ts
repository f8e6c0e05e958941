// `rigel job refund`: sends the transactions of planRefund and reports what they refunded, read back
// from the events of their receipts (ShardCancelled, ShardExpired, and OperatorStaking's Slashed for
// a no-show's compensation), then what stays locked, from the chain again.
import { parseEventLogs, type Address, type Hex, type TransactionReceipt } from "viem";
import { jobMarketAbi, operatorStakingAbi } from "../sdk/contracts/abis";
import { planRefund, type LockedShard, type RefundAction } from "../sdk/market/planRefund";
import { errorText, jobStatus, sendTx } from "./commandHelpers";
import type { Connection } from "./connect";

/** One shard's refund, as its transaction's events tell it (or, with `dryRun`, as planned). */
export interface ShardRefund {
  shard: number;
  /** `cancelled` (cancel), `released` (releaseGang), `expired-no-show`, `expired-unanswered`. */
  outcome: "cancelled" | "released" | "expired-no-show" | "expired-unanswered";
  /** Payment-token base units refunded to the developer (the event's `refund`). */
  refund: bigint;
  /** Null on a dry run. */
  transaction: Hex | null;
  operator?: Address;
  /** A no-show's slash of the operator's stake, in RGL wei, and the developer's part of it. */
  slashed?: bigint;
  compensation?: bigint;
}

/** A shard that stays locked: planRefund's reasons, or `recovery-failed` (its transaction failed). */
export type LockedEscrow = Omit<LockedShard, "code"> & { code: LockedShard["code"] | "recovery-failed" };

/** An action whose transaction failed (the shard changed state meanwhile, a revert, the RPC...). */
export interface FailedAction {
  action: RefundAction;
  error: string;
}

export interface RecoverEscrowReturnType {
  jobId: bigint;
  developer: Address;
  paymentToken: Address;
  dryRun: boolean;
  refunded: ShardRefund[];
  /** Σ refund (payment token). */
  total: bigint;
  /** Σ compensation (RGL wei, from no-show slashes). */
  compensation: bigint;
  failed: FailedAction[];
  /** Every shard not final after the transactions, with why and until when. */
  locked: LockedEscrow[];
  /** Σ locked amounts; equals the job's escrow left on-chain. */
  lockedTotal: bigint;
  /** `getJob(jobId).escrow` after the transactions. */
  escrowLeft: bigint;
}

function plannedRefunds(action: RefundAction): ShardRefund[] {
  const outcome =
    action.kind === "cancel"
      ? "cancelled"
      : action.kind === "releaseGang"
        ? "released"
        : action.noShow
          ? "expired-no-show"
          : "expired-unanswered";
  const value = action.refund / BigInt(action.shards.length);
  return action.shards.map((shard) => ({ shard, outcome, refund: value, transaction: null }));
}

/** The refunds a receipt's events report for `jobId`; compensation = Slashed paid to the developer. */
function refundsOf(
  receipt: TransactionReceipt,
  action: RefundAction,
  jobId: bigint,
  developer: Address,
  staking: Address,
): ShardRefund[] {
  const transaction = receipt.transactionHash;
  const market = parseEventLogs({ abi: jobMarketAbi, logs: receipt.logs }).filter(
    (e) => "jobId" in e.args && e.args.jobId === jobId,
  );
  const out: ShardRefund[] = [];
  for (const e of market) {
    if (e.eventName === "ShardCancelled") {
      const outcome = action.kind === "releaseGang" ? "released" : "cancelled";
      out.push({ shard: e.args.shard, outcome, refund: e.args.refund, transaction });
    } else if (e.eventName === "ShardExpired") {
      const { shard, operator, noShow, slashed, refund } = e.args;
      // One expire per transaction: its Slashed events (from the staking contract) are this shard's.
      const compensation = parseEventLogs({ abi: operatorStakingAbi, eventName: "Slashed", logs: receipt.logs })
        .filter((s) => s.address.toLowerCase() === staking.toLowerCase())
        .filter((s) => s.args.recipient.toLowerCase() === developer.toLowerCase())
        .reduce((sum, s) => sum + s.args.toRecipient, 0n);
      out.push({
        shard,
        outcome: noShow ? "expired-no-show" : "expired-unanswered",
        refund,
        transaction,
        operator,
        ...(noShow ? { slashed, compensation } : {}),
      });
    }
  }
  return out;
}

function sendAction(conn: Connection, jobId: bigint, action: RefundAction): Promise<TransactionReceipt> {
  const base = {
    address: conn.deployment.contracts.JobMarket,
    abi: jobMarketAbi,
    account: conn.account!,
    chain: conn.walletClient!.chain,
  } as const;
  if (action.kind === "expire")
    return sendTx(conn, { ...base, functionName: "expire", args: [jobId, action.shards[0]] });
  return sendTx(conn, { ...base, functionName: action.kind, args: [jobId] });
}

/**
 * Recovers every escrow of `jobId` that can be recovered now (cancel Open shards when the caller is
 * the developer, release an unstarted gang past its accept deadline, expire shards past the deadline
 * or verify window) and reports it from the transactions' events; with `dryRun` it sends nothing and
 * reports the plan. A failed transaction is reported in `failed` and the others still go.
 */
export async function recoverEscrow(
  conn: Connection,
  jobId: bigint,
  options: { dryRun?: boolean } = {},
): Promise<RecoverEscrowReturnType> {
  const caller = conn.account!.address;
  const before = await jobStatus(conn, jobId);
  const plan = planRefund({ status: before, now: before.timestamp, caller });
  const refunded: ShardRefund[] = [];
  const failed: FailedAction[] = [];
  for (const action of plan.actions) {
    if (options.dryRun) {
      refunded.push(...plannedRefunds(action));
      continue;
    }
    try {
      const receipt = await sendAction(conn, jobId, action);
      refunded.push(...refundsOf(receipt, action, jobId, before.developer, conn.deployment.contracts.OperatorStaking));
    } catch (err) {
      failed.push({ action, error: errorText(err) });
    }
  }
  const after = options.dryRun ? before : await jobStatus(conn, jobId);
  const replan = options.dryRun
    ? { actions: [], locked: plan.locked }
    : planRefund({ status: after, now: after.timestamp, caller });
  // A shard still recoverable after its transaction failed stays locked too: say so.
  const locked: LockedEscrow[] = [...replan.locked];
  for (const action of replan.actions) {
    for (const shard of action.shards) {
      const s = after.shards[shard];
      locked.push({
        shard,
        state: s.stateName,
        operator: s.operator,
        amount: after.shardValue,
        code: "recovery-failed",
        reason: `${action.kind} could recover it, but the transaction failed`,
      });
    }
  }
  locked.sort((a, b) => a.shard - b.shard);
  return {
    jobId,
    developer: before.developer,
    paymentToken: before.paymentToken,
    dryRun: options.dryRun ?? false,
    refunded: refunded.sort((a, b) => a.shard - b.shard),
    total: refunded.reduce((sum, r) => sum + r.refund, 0n),
    compensation: refunded.reduce((sum, r) => sum + (r.compensation ?? 0n), 0n),
    failed,
    locked,
    lockedTotal: locked.reduce((sum, l) => sum + l.amount, 0n),
    escrowLeft: after.escrow,
  };
}
