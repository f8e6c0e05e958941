import { expect } from "chai";
import { generatedOperands } from "../../../sdk/pow/operands";
import { proveMatmul } from "../../../sdk/pow/prove";
import { revealRows } from "../../../sdk/pow/reveal";
import { proveMatmulWindow, windowOperands } from "../../../sdk/pow/rowWindow";
import { sampleIndices } from "../../../sdk/pow/sample";
import { verifySampledRows } from "../../../sdk/pow/verify";
import { PowRowValueError, PowWorkloadError } from "../../../sdk/pow/errors";

const workload = { seed: `0x${"33".repeat(32)}` as const, m: 40, n: 24, k: 16 };
const BEACON = `0x${"ab".repeat(32)}` as const;

describe("sdk/pow/rowWindow", () => {
  it("a window's rows equal the same rows of the whole product", async () => {
    const whole = await proveMatmul(workload, { threads: 1 });
    const part = await proveMatmulWindow(workload, { rowStart: 7, rowEnd: 19 }, { threads: 1 });
    expect(Array.from(part.c)).to.deep.equal(Array.from(whole.c.subarray(7 * 24, 19 * 24)));
    expect(part.rowHashes).to.deep.equal(whole.rowHashes.slice(7, 19));
  });

  it("an honest window passes the sampled check on its local indices; a wrong row fails", async () => {
    const window = { rowStart: 10, rowEnd: 40 };
    const proof = await proveMatmulWindow(workload, window, { threads: 1 });
    const operands = windowOperands(generatedOperands(workload), window);
    const indices = sampleIndices(BEACON, operands.m, 8);
    const revealed = revealRows(proof.c, workload.n, proof.commitment, indices);
    const ok = verifySampledRows({ operands, root: proof.commitment.root, beacon: BEACON, s: 8, revealed });
    expect(ok.indices).to.deep.equal(indices);
    // Rows of another window hash into a different tree: the same local rows from [0, 30) fail.
    const other = await proveMatmulWindow(workload, { rowStart: 0, rowEnd: 30 }, { threads: 1 });
    const wrong = revealRows(other.c, workload.n, other.commitment, indices);
    expect(() =>
      verifySampledRows({ operands, root: other.commitment.root, beacon: BEACON, s: 8, revealed: wrong }),
    ).to.throw(PowRowValueError);
  });

  it("refuses a window outside the workload", async () => {
    expect(() => windowOperands(generatedOperands(workload), { rowStart: 30, rowEnd: 41 })).to.throw(PowWorkloadError);
    try {
      await proveMatmulWindow(workload, { rowStart: 5, rowEnd: 5 });
      expect.fail("expected a PowWorkloadError");
    } catch (err) {
      expect(err).to.be.instanceOf(PowWorkloadError);
    }
  });
});
