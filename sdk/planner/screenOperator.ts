import { gpuModelMismatch } from "../spec/gpuModels";
import type { PlannerDecisionCode, PlannerJob, PlannerOperator } from "./types";

/** Why an operator fails a hard filter, or undefined when it may be taken. */
export interface ScreenFailure {
  code: Exclude<PlannerDecisionCode, "taken" | "not-needed" | "shard-limit" | "share-below-one-item" | "offline">;
  reason: string;
}

/**
 * The hard filters, in the order the market checks them (docs/PROTOCOL.md §15.1): registered, not
 * excluded, a capacity record valid beyond now (+ margin), not jailed, enough VRAM, an attested GPU
 * model the job accepts (`needs an H100; has an RTX 4090`), enough attested ops/s, an asking price within the job's, and free stake for the collateral.
 */
export function screenOperator(
  op: PlannerOperator,
  job: PlannerJob,
  excluded: ReadonlySet<string>,
): ScreenFailure | undefined {
  if (!op.registered) return { code: "not-registered", reason: "not registered with OperatorStaking" };
  if (excluded.size > 0 && excluded.has(op.address.toLowerCase()))
    return { code: "excluded", reason: "excluded by the developer" };
  if (op.opsPerSec <= 0 || op.capacityValidUntil === 0) {
    return { code: "no-capacity", reason: "has no attested capacity" };
  }
  const validFrom = job.now + (job.capacityMarginSec ?? 0);
  if (op.capacityValidUntil < validFrom) {
    return { code: "capacity-expired", reason: `capacity attestation valid only until ${op.capacityValidUntil}` };
  }
  if (op.jailedUntil > job.now) return { code: "jailed", reason: `jailed until ${op.jailedUntil}` };
  if (op.vramMiB < job.vramMiB) {
    return { code: "vram", reason: `${op.vramMiB} MiB of VRAM is below the ${job.vramMiB} MiB a shard needs` };
  }
  const wrongModel = gpuModelMismatch(job.gpuModels, op.gpuModelName ?? "");
  if (wrongModel !== undefined) return { code: "gpu-model", reason: wrongModel };
  const minOps = job.minOpsPerSec ?? 0;
  if (op.opsPerSec < minOps) {
    return { code: "min-ops", reason: `attested ${op.opsPerSec} ops/s is below the job's minimum ${minOps}` };
  }
  if (op.pricePerUnit !== undefined && op.pricePerUnit > job.maxPricePerUnit) {
    return { code: "price", reason: `asks ${op.pricePerUnit} per unit, above the job's ${job.maxPricePerUnit}` };
  }
  const collateral = job.collateralPerShard ?? 0n;
  if (op.freeStake < collateral) {
    return { code: "stake", reason: `free stake ${op.freeStake} cannot lock the ${collateral} RGL collateral` };
  }
  return undefined;
}
