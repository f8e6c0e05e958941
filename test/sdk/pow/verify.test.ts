import { expect } from "chai";
import { keccak256, type Hex } from "viem";
import { commitRows, rowHashes } from "../../../sdk/pow/commitment";
import {
  PowFreivaldsError,
  PowProofError,
  PowRowLengthError,
  PowRowValueError,
  PowSampleError,
  PowWorkloadError,
} from "../../../sdk/pow/errors";
import { proveMatmul } from "../../../sdk/pow/prove";
import { freivalds } from "../../../sdk/pow/freivalds";
import { generateMatrix, generatorKeys } from "../../../sdk/pow/generator";
import { matmulInt8Sync } from "../../../sdk/pow/kernel";
import { generatedOperands } from "../../../sdk/pow/operands";
import { revealRows, type RevealedRow } from "../../../sdk/pow/reveal";
import { sampleIndices } from "../../../sdk/pow/sample";
import { verifySampledRows } from "../../../sdk/pow/verify";
import type { MatmulWorkload } from "../../../sdk/pow/workload";
import { randomBytesFrom, seededRandom } from "./random";

const workload: MatmulWorkload = { seed: keccak256("0x7269676c"), m: 64, n: 24, k: 40 };
const other: MatmulWorkload = { ...workload, seed: keccak256("0x6f74686572") };
const S = 8;

function prove(w: MatmulWorkload, tamper?: (c: Int32Array) => void) {
  const keys = generatorKeys(w.seed);
  const a = generateMatrix(keys.a, w.m, w.k);
  const b = generateMatrix(keys.b, w.k, w.n);
  const c = matmulInt8Sync(a, b, w);
  tamper?.(c);
  const commitment = commitRows(rowHashes(c, w.m, w.n));
  // Any public value that binds the root will do as a beacon here.
  const beacon = keccak256(commitment.root);
  const indices = sampleIndices(beacon, w.m, S);
  return { a, b, c, commitment, beacon, indices, revealed: revealRows(c, w.n, commitment, indices) };
}

function expectFault<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    return err as E;
  }
  throw new Error(`expected ${type.name}`);
}

describe("sdk/pow/verify", () => {
  const operands = generatedOperands(workload);
  const honest = prove(workload);
  const check = (revealed: readonly RevealedRow[], root: Hex = honest.commitment.root, beacon: Hex = honest.beacon) =>
    verifySampledRows({ operands, root, beacon, s: S, revealed });

  it("accepts an honest proof and reports what it checked", () => {
    const result = check(honest.revealed);
    expect(result.indices).to.deep.equal(honest.indices);
    expect(result.multiplyAdds).to.equal(S * workload.k * workload.n);
  });

  it("catches one element flipped in a sampled row, naming row and column", () => {
    // The flip changes the root, hence the beacon and the sample: flip rows until one lands in it.
    let flippedRow = -1;
    let retry = honest;
    for (let candidate = 0; candidate < workload.m && flippedRow < 0; candidate++) {
      retry = prove(workload, (c) => {
        c[candidate * workload.n + 5] ^= 1;
      });
      if (retry.indices.includes(candidate)) flippedRow = candidate;
    }
    expect(flippedRow).to.be.at.least(0);
    const err = expectFault(() => check(retry.revealed, retry.commitment.root, retry.beacon), PowRowValueError);
    expect(err.row).to.equal(flippedRow);
    expect(err.column).to.equal(5);
    expect(err.code).to.equal("POW_WRONG_ROW");
  });

  it("does not see a flip in an unsampled row; Freivalds over the full C does", () => {
    let cheat = prove(workload);
    let row = -1;
    // Flip an element of a row outside the sample that results (the sample moves with the root).
    for (let candidate = 0; candidate < workload.m; candidate++) {
      cheat = prove(workload, (c) => {
        c[candidate * workload.n] += 1;
      });
      if (!cheat.indices.includes(candidate)) {
        row = candidate;
        break;
      }
    }
    expect(row).to.be.at.least(0);
    expect(() => check(cheat.revealed, cheat.commitment.root, cheat.beacon)).to.not.throw();
    const err = expectFault(
      () =>
        freivalds({
          ...workload,
          a: cheat.a,
          b: cheat.b,
          c: cheat.c,
          rounds: 32,
          random: randomBytesFrom(seededRandom(1)),
        }),
      PowFreivaldsError,
    );
    expect(err.row).to.equal(row);
    expect(() => freivalds({ ...workload, a: honest.a, b: honest.b, c: honest.c, rounds: 32 })).to.not.throw();
  });

  it("catches a wrong proof", () => {
    const revealed = honest.revealed.map((r) => ({ ...r, proof: [...r.proof] }));
    revealed[2].proof[0] = keccak256(revealed[2].proof[0]);
    const err = expectFault(() => check(revealed), PowProofError);
    expect(err.row).to.equal(honest.indices[2]);
    expect(err.code).to.equal("POW_BAD_PROOF");
  });

  it("catches the row and proof of another index under the sampled index", () => {
    const outside = [...Array(workload.m).keys()].find((i) => !honest.indices.includes(i)) as number;
    const [substitute] = revealRows(honest.c, workload.n, honest.commitment, [outside]);
    const revealed = [...honest.revealed];
    revealed[1] = { ...substitute, index: honest.indices[1] };
    expect(expectFault(() => check(revealed), PowProofError).row).to.equal(honest.indices[1]);
  });

  it("catches a revealed index that is not the one drawn", () => {
    const outside = [...Array(workload.m).keys()].find((i) => !honest.indices.includes(i)) as number;
    const revealed = [...honest.revealed];
    revealed[4] = revealRows(honest.c, workload.n, honest.commitment, [outside])[0];
    const err = expectFault(() => check(revealed), PowSampleError);
    expect([err.fault, err.position, err.expectedIndex, err.gotIndex]).to.deep.equal([
      "wrong-index",
      4,
      honest.indices[4],
      outside,
    ]);
  });

  it("catches a duplicated index", () => {
    const revealed = [...honest.revealed];
    revealed[1] = honest.revealed[0];
    const err = expectFault(() => check(revealed), PowSampleError);
    expect([err.fault, err.position, err.gotIndex]).to.deep.equal(["duplicate", 1, honest.indices[0]]);
  });

  it("catches a missing and an extra row", () => {
    expect(expectFault(() => check(honest.revealed.slice(0, S - 1)), PowSampleError).fault).to.equal("missing");
    const extra = [...honest.revealed, honest.revealed[0]];
    expect(expectFault(() => check(extra), PowSampleError).fault).to.equal("extra");
  });

  it("catches a root of another workload", () => {
    const foreign = prove(other);
    // Honest rows of this workload against the other workload's root: the proofs fail.
    const beacon = keccak256(foreign.commitment.root);
    const revealed = revealRows(honest.c, workload.n, honest.commitment, sampleIndices(beacon, workload.m, S));
    expectFault(() => check(revealed, foreign.commitment.root, beacon), PowProofError);
    // The other workload's rows with their own, consistent proofs: recomputation fails.
    const err = expectFault(() => check(foreign.revealed, foreign.commitment.root, foreign.beacon), PowRowValueError);
    expect(err.row).to.equal(foreign.indices[0]);
  });

  it("catches a truncated row", () => {
    const revealed = [...honest.revealed];
    revealed[0] = { ...revealed[0], row: revealed[0].row.slice(0, workload.n - 1) };
    const err = expectFault(() => check(revealed), PowRowLengthError);
    expect([err.row, err.expectedLength, err.gotLength]).to.deep.equal([honest.indices[0], workload.n, workload.n - 1]);
  });

  it("detects a prover that computed only a fraction f of the rows at a rate of at least 1 − f^s", () => {
    // The cheater computes the first 48 of 64 rows (f = 0.75), fills the rest with junk and commits
    // to it consistently. Each trial draws a fresh beacon (a different block).
    const f = 0.75;
    const computed = workload.m * f;
    const cheat = prove(workload, (c) => c.fill(7, computed * workload.n));
    const trials = 400;
    let caught = 0;
    for (let t = 0; t < trials; t++) {
      const beacon = keccak256(`0x${t.toString(16).padStart(8, "0")}`);
      const indices = sampleIndices(beacon, workload.m, S);
      const revealed = revealRows(cheat.c, workload.n, cheat.commitment, indices);
      try {
        check(revealed, cheat.commitment.root, beacon);
      } catch (err) {
        expect(err).to.be.instanceOf(PowRowValueError);
        caught++;
      }
    }
    // Without replacement the pass probability is C(48, 8) / C(64, 8) ≈ 0.0798 ≤ f^s ≈ 0.1001.
    let pass = 1;
    for (let i = 0; i < S; i++) pass *= (computed - i) / (workload.m - i);
    const rate = caught / trials;
    const sigma = Math.sqrt((pass * (1 - pass)) / trials);
    console.log(
      `      cheater f=${f}, s=${S}: detected ${caught}/${trials} = ${rate.toFixed(4)}; ` +
        `exact 1 − C(fm,s)/C(m,s) = ${(1 - pass).toFixed(4)}; bound 1 − f^s = ${(1 - f ** S).toFixed(4)}`,
    );
    expect(Math.abs(rate - (1 - pass))).to.be.below(4 * sigma);
    expect(rate).to.be.above(1 - f ** S - 4 * sigma);
  });
});

describe("sdk/pow/freivalds", () => {
  const { a, b, c } = prove(workload);

  it("accepts the true product", () => {
    expect(() => freivalds({ ...workload, a, b, c, rounds: 20 })).to.not.throw();
  });

  it("catches a single wrong element anywhere, naming its row", () => {
    const random = seededRandom(9);
    for (const [i, j, delta] of [
      [0, 0, 1],
      [63, 23, -1],
      [17, 11, 2 ** 31],
      [40, 3, 65536],
    ]) {
      const bad = c.slice();
      bad[i * workload.n + j] += delta;
      const err = expectFault(
        () => freivalds({ ...workload, a, b, c: bad, rounds: 40, random: randomBytesFrom(random) }),
        PowFreivaldsError,
      );
      expect(err.row).to.equal(i);
      expect(err.code).to.equal("POW_FREIVALDS_FAILED");
    }
  });

  it("passes a wrong C in a round only when r misses the error: about half the time for one element", () => {
    const bad = c.slice();
    bad[5 * workload.n + 7] += 1;
    const random = seededRandom(3);
    let caughtInFirstRound = 0;
    for (let t = 0; t < 200; t++) {
      try {
        freivalds({ ...workload, a, b, c: bad, rounds: 1, random: randomBytesFrom(random) });
      } catch {
        caughtInFirstRound++;
      }
    }
    expect(caughtInFirstRound).to.be.within(70, 130);
  });
});

describe("sdk/pow/prove", () => {
  it("proves a generated workload end to end: the verifier accepts its sample, Freivalds its C", async () => {
    const proof = await proveMatmul(workload, { threads: 2 });
    expect(proof.commitment.root).to.equal(prove(workload).commitment.root);
    expect(proof.rowHashes).to.have.length(workload.m);
    const beacon = keccak256(proof.commitment.root);
    const revealed = revealRows(proof.c, workload.n, proof.commitment, sampleIndices(beacon, workload.m, S));
    const operands = generatedOperands(workload);
    expect(verifySampledRows({ operands, root: proof.commitment.root, beacon, s: S, revealed }).indices).to.have.length(
      S,
    );
    const keys = generatorKeys(workload.seed);
    const a = generateMatrix(keys.a, workload.m, workload.k);
    expect(() => freivalds({ ...workload, a, b: operands.b, c: proof.c })).to.not.throw();
  });

  it("refuses an invalid workload", async () => {
    for (const bad of [
      { ...workload, m: 0 },
      { ...workload, k: 131073 },
      { ...workload, m: 2 ** 20, k: 2 ** 12 },
      { ...workload, seed: "0x1234" as Hex },
    ]) {
      let thrown: unknown;
      try {
        await proveMatmul(bad);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, JSON.stringify(bad)).to.be.instanceOf(PowWorkloadError);
    }
  });
});
