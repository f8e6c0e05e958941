import type { Hex } from "viem";
import { generatedOperands, type MatmulOperands } from "../../sdk/pow/operands";
import type { RevealedRow } from "../../sdk/pow/reveal";
import { windowOperands } from "../../sdk/pow/rowWindow";
import { verifySampledRowsStreamed } from "../../sdk/pow/verifySampledRowsStreamed";
import { PowSampleError } from "../../sdk/pow/errors";
import { HttpError } from "../../sdk/errors/HttpError";
import { RigelError } from "../../sdk/errors/RigelError";
import type { MatmulInt8Spec } from "../../sdk/spec/jobSpecTypes";
import { matmulShardRows, matmulUnits } from "../../sdk/spec/shardWork";
import type { VerifierFinding } from "./verdict";

/** Input of {@link verifyMatmulShard}. */
export interface VerifyMatmulShardParameters {
  spec: MatmulInt8Spec;
  /** The job's shard count and this shard's index: which rows it covers (sdk/spec/shardWork). */
  shards: number;
  shard: number;
  /** The submitted result root and the shard beacon drawn from it. */
  root: Hex;
  beacon: Hex;
  /** The revealed rows, decoded, LOCAL indices (docs/PROTOCOL.md §3.13), in the order drawn. */
  rows: readonly RevealedRow[];
  /** Operands of the whole job (default: generated; B is streamed a row at a time, never built whole). */
  operands?: MatmulOperands;
}

/**
 * Verifies a matmul-int8 shard: the sampled rows (the protocol's sample size, docs/PROTOCOL.md §3.5)
 * against the root and A·B, with `verifySampledRowsStreamed` over the shard's row window: the
 * proof's shape first (the sample's indices in the window, each row's length and Merkle proof), then
 * A·B for the sampled rows with B's rows generated one at a time, the event loop served between
 * slices. Rows whose indices
 * are not exactly the beacon's sample (`PowSampleError`: another `s`, another block hash) prove
 * nothing against the operator: HTTP 400 `ORACLE_SAMPLE_MISMATCH`, nothing signed (§18.3). A row at
 * the right index that fails its proof or A·B is an Invalid finding naming the fault's code; the
 * work is worth `matmulUnits(rows, n, k)`.
 */
export async function verifyMatmulShard(p: VerifyMatmulShardParameters): Promise<VerifierFinding> {
  const { spec } = p;
  const range = matmulShardRows(spec, p.shards, p.shard);
  const whole = p.operands ?? generatedOperands({ seed: spec.seed, m: spec.m, n: spec.n, k: spec.k });
  const window = windowOperands(whole, { rowStart: range.start, rowEnd: range.end });
  const workUnits = matmulUnits(range.end - range.start, spec.n, spec.k);
  try {
    await verifySampledRowsStreamed({ operands: window, root: p.root, beacon: p.beacon, revealed: p.rows });
  } catch (err) {
    if (err instanceof PowSampleError) {
      throw new HttpError(400, "ORACLE_SAMPLE_MISMATCH", "rows: not the sample drawn from the shard's beacon", {
        details: { field: "rows", fault: err.fault, position: err.position, expected: err.expectedIndex ?? null },
        cause: err,
      });
    }
    if (err instanceof RigelError && err.code.startsWith("POW_"))
      return { verdict: "invalid", reason: err.code, verified: true };
    throw err;
  }
  return { verdict: "valid", reason: "verified", verified: true, workUnits };
}
