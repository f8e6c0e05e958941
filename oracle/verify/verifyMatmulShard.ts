import type { Hex } from "viem";
import { freivalds } from "../../sdk/pow/freivalds";
import { generatedOperands, type MatmulOperands } from "../../sdk/pow/operands";
import type { RevealedRow } from "../../sdk/pow/reveal";
import { windowOperands } from "../../sdk/pow/rowWindow";
import { verifySampledRows } from "../../sdk/pow/verify";
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
  /** The revealed rows, decoded, LOCAL indices (PROTOCOL §3.13), in the order drawn. */
  rows: readonly RevealedRow[];
  /** Sample size s. */
  s: number;
  /** The whole shard result C′ (int32 LE bytes), when delivered: checked with Freivalds too. */
  fullResult?: Uint8Array;
  /** Operands of the whole job, reused across shards of one job (B is generated once). */
  operands?: MatmulOperands;
  /** Freivalds rounds (default 32). */
  freivaldsRounds?: number;
}

/**
 * Verifies a matmul-int8 shard: the sampled rows against the root and A·B (verifySampledRows over
 * the shard's row window), then, when the full C′ is given, Freivalds over it and its rows'
 * commitment. A wrong proof is an Invalid finding naming the fault's code; the work is worth
 * `matmulUnits(rows, n, k)`.
 */
export function verifyMatmulShard(p: VerifyMatmulShardParameters): VerifierFinding {
  const { spec } = p;
  const range = matmulShardRows(spec, p.shards, p.shard);
  const whole = p.operands ?? generatedOperands({ seed: spec.seed, m: spec.m, n: spec.n, k: spec.k });
  const window = windowOperands(whole, { rowStart: range.start, rowEnd: range.end });
  const workUnits = matmulUnits(range.end - range.start, spec.n, spec.k);
  try {
    verifySampledRows({ operands: window, root: p.root, beacon: p.beacon, s: p.s, revealed: p.rows });
  } catch (err) {
    if (err instanceof RigelError && err.code.startsWith("POW_"))
      return { valid: false, reason: err.code, verified: true };
    throw err;
  }
  if (p.fullResult !== undefined) {
    const { m, n, k } = window;
    if (p.fullResult.byteLength !== m * n * 4) return { valid: false, reason: "FULL_RESULT_SIZE", verified: true };
    const c = new Int32Array(m * n);
    const view = new DataView(p.fullResult.buffer, p.fullResult.byteOffset, p.fullResult.byteLength);
    for (let i = 0; i < c.length; i++) c[i] = view.getInt32(i * 4, true);
    const a = new Int8Array(m * k);
    for (let i = 0; i < m; i++) a.set(window.rowOfA(i), i * k);
    try {
      freivalds({ a, b: window.b, c, m, n, k, rounds: p.freivaldsRounds });
    } catch (err) {
      if (err instanceof RigelError && err.code.startsWith("POW_"))
        return { valid: false, reason: err.code, verified: true };
      throw err;
    }
  }
  return { valid: true, reason: "verified", verified: true, workUnits };
}
