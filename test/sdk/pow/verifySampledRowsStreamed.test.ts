import { expect } from "chai";
import { keccak256, type Hex } from "viem";
import { commitRows, rowHashes } from "../../../sdk/pow/commitment";
import { PowProofError, PowRowLengthError, PowRowValueError, PowSampleError } from "../../../sdk/pow/errors";
import { generateMatrix, generatorKeys } from "../../../sdk/pow/generator";
import { matmulInt8Sync } from "../../../sdk/pow/kernel";
import { generatedOperands, type MatmulOperands } from "../../../sdk/pow/operands";
import { revealRows, type RevealedRow } from "../../../sdk/pow/reveal";
import { sampleIndices } from "../../../sdk/pow/sample";
import { verifySampledRows } from "../../../sdk/pow/verify";
import { verifySampledRowsStreamed } from "../../../sdk/pow/verifySampledRowsStreamed";
import type { MatmulWorkload } from "../../../sdk/pow/workload";

const workload: MatmulWorkload = { seed: keccak256("0x7269676c"), m: 64, n: 24, k: 40 };
const S = 8;

function prove(w: MatmulWorkload, tamper?: (c: Int32Array) => void, s = S) {
  const keys = generatorKeys(w.seed);
  const c = matmulInt8Sync(generateMatrix(keys.a, w.m, w.k), generateMatrix(keys.b, w.k, w.n), w);
  tamper?.(c);
  const commitment = commitRows(rowHashes(c, w.m, w.n));
  const beacon = keccak256(commitment.root);
  const indices = sampleIndices(beacon, w.m, s);
  return { root: commitment.root, beacon, revealed: revealRows(c, w.n, commitment, indices) };
}

/** Generated operands that fail the test if anything reads the whole B. */
function noWholeB(w: MatmulWorkload): MatmulOperands {
  const inner = generatedOperands(w);
  return {
    m: inner.m,
    n: inner.n,
    k: inner.k,
    rowOfA: inner.rowOfA,
    rowOfB: inner.rowOfB,
    get b(): Int8Array {
      throw new Error("the whole B was built");
    },
  };
}

async function fault(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a fault");
}

describe("sdk/pow/verifySampledRowsStreamed", () => {
  const honest = prove(workload);
  const run = (revealed: readonly RevealedRow[], root: Hex = honest.root) =>
    verifySampledRowsStreamed({ operands: noWholeB(workload), root, beacon: honest.beacon, s: S, revealed });

  it("accepts an honest proof like verifySampledRows, without building B", async () => {
    const sync = verifySampledRows({
      operands: generatedOperands(workload),
      root: honest.root,
      beacon: honest.beacon,
      s: S,
      revealed: honest.revealed,
    });
    expect(await run(honest.revealed)).to.deep.equal(sync);
  });

  it("throws the same faults in the same order", async () => {
    expect(await fault(run(honest.revealed.slice(1)))).to.be.instanceOf(PowSampleError);
    const short = honest.revealed.map((r, i) => (i === 0 ? { ...r, row: r.row.subarray(1) } : r));
    expect(await fault(run(short))).to.be.instanceOf(PowRowLengthError);
    const forged = honest.revealed.map((r, i) => (i === 0 ? { ...r, proof: [...r.proof].reverse() } : r));
    expect(await fault(run(forged))).to.be.instanceOf(PowProofError);
    // Every row revealed (s = m), one element wrong: found when B's rows are streamed.
    const wrong = prove(workload, (c) => (c[0] += 1), workload.m);
    const err = await fault(
      verifySampledRowsStreamed({
        operands: noWholeB(workload),
        root: wrong.root,
        beacon: wrong.beacon,
        s: workload.m,
        revealed: wrong.revealed,
      }),
    );
    expect(err).to.be.instanceOf(PowRowValueError);
  });

  // Regression (issue 18): the old verifier generated the job's whole B (k·n bytes) before looking
  // at the proof; a proof with no rows for a 1 GiB B stalled the oracle 22 s. Now the shape is
  // checked first: nothing of B is generated.
  it("refuses a proof with no rows for a 1 GiB B in milliseconds", async () => {
    const huge: MatmulWorkload = { seed: workload.seed, m: 4096, n: 32768, k: 32768 };
    const started = performance.now();
    const err = await fault(
      verifySampledRowsStreamed({ operands: noWholeB(huge), root: honest.root, beacon: honest.beacon, revealed: [] }),
    );
    const ms = performance.now() - started;
    expect(err).to.be.instanceOf(PowSampleError);
    expect(ms).to.be.below(1_000);
  });
});
