import { expect } from "chai";
import { keccak256 } from "viem";
import { commitRows, rowHashes } from "../../../sdk/pow/commitment";
import { PowSampleError, PowWorkloadError } from "../../../sdk/pow/errors";
import { generatedOperands } from "../../../sdk/pow/operands";
import { proveMatmul } from "../../../sdk/pow/prove";
import { revealSample } from "../../../sdk/pow/revealSample";
import { proveMatmulWindow, windowOperands } from "../../../sdk/pow/rowWindow";
import { SAMPLE_SIZE, sampleIndices } from "../../../sdk/pow/sample";
import { verifySampledRows } from "../../../sdk/pow/verify";
import type { MatmulWorkload } from "../../../sdk/pow/workload";

const workload: MatmulWorkload = { seed: keccak256("0x72657665616c"), m: 80, n: 16, k: 24 };

describe("sdk/pow/revealSample (the prover's half of verifySampledRows)", () => {
  it("reveals the protocol's sample of a whole workload, which the verifier accepts", async () => {
    const proof = await proveMatmul(workload, { threads: 1 });
    const beacon = keccak256(proof.commitment.root);
    const revealed = revealSample({ c: proof.c, m: workload.m, n: workload.n, commitment: proof.commitment, beacon });
    expect(revealed.map((r) => r.index)).to.deep.equal(sampleIndices(beacon, workload.m, SAMPLE_SIZE));
    const checked = verifySampledRows({
      operands: generatedOperands(workload),
      root: proof.commitment.root,
      beacon,
      revealed,
    });
    expect(checked.indices).to.have.length(SAMPLE_SIZE);
  });

  it("reveals a shard's row window with local indices, and a capacity challenge's own s", async () => {
    const window = { rowStart: 30, rowEnd: 42 };
    const proof = await proveMatmulWindow(workload, window, { threads: 1 });
    const m = window.rowEnd - window.rowStart;
    const operands = windowOperands(generatedOperands(workload), window);
    const beacon = keccak256(proof.commitment.root);
    const all = revealSample({ c: proof.c, m, n: workload.n, commitment: proof.commitment, beacon });
    expect(all).to.have.length(m); // min(s, m): every row of a small window
    verifySampledRows({ operands, root: proof.commitment.root, beacon, revealed: all });
    const five = revealSample({ c: proof.c, m, n: workload.n, commitment: proof.commitment, beacon, s: 5 });
    verifySampledRows({ operands, root: proof.commitment.root, beacon, s: 5, revealed: five });
    // A verifier with another s sees a different sample: s is part of the protocol, not a preference.
    expect(() => verifySampledRows({ operands, root: proof.commitment.root, beacon, revealed: five })).to.throw(
      PowSampleError,
    );
  });

  it("refuses a C or a commitment that is not m×n", () => {
    const c = new Int32Array(12);
    const commitment = commitRows(rowHashes(c, 3, 4));
    const beacon = keccak256("0x01");
    expect(() => revealSample({ c, m: 4, n: 4, commitment, beacon })).to.throw(PowWorkloadError, "m·n");
    expect(() => revealSample({ c: new Int32Array(8), m: 2, n: 4, commitment, beacon })).to.throw(
      PowWorkloadError,
      "m rows",
    );
  });
});
