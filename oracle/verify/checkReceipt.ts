import type { Hex } from "viem";
import type { ExecutionReceiptJson } from "../../sdk/oracleApi/types";
import type { VerifierFinding } from "./verdict";

/**
 * Receipt mode: the operator's execution receipt is checked for consistency with the submission
 * only — outputs root = result root, exit code 0, started ≤ finished ≤ the submission's time. The
 * finding is labelled `verified: false` (attested, not verified).
 */
export function checkReceipt(receipt: ExecutionReceiptJson, root: Hex, submittedAt: bigint): VerifierFinding {
  const fail = (reason: string): VerifierFinding => ({ verdict: "invalid", reason, verified: false });
  if (receipt.outputsRoot.toLowerCase() !== root.toLowerCase()) return fail("RECEIPT_ROOT_MISMATCH");
  if (receipt.exitCode !== 0) return fail("RECEIPT_NONZERO_EXIT");
  if (receipt.finishedAt < receipt.startedAt) return fail("RECEIPT_TIME_ORDER");
  if (BigInt(receipt.finishedAt) > submittedAt) return fail("RECEIPT_FINISHED_AFTER_SUBMISSION");
  return { verdict: "valid", reason: "receipt-consistent", verified: false };
}
