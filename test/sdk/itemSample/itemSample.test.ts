import { expect } from "chai";
import { keccak256, toHex, type Hex } from "viem";
import { commitOutputs } from "../../../sdk/executor/commitOutputs";
import { ItemProofError, ItemSampleError } from "../../../sdk/itemSample/errors";
import { revealItemSample } from "../../../sdk/itemSample/revealItemSample";
import { verifyItemSample } from "../../../sdk/itemSample/verifyItemSample";
import { PowWorkloadError } from "../../../sdk/pow/errors";
import { SAMPLE_SIZE, sampleIndices } from "../../../sdk/pow/sample";

const hashes = (count: number, tag = "item"): Hex[] =>
  Array.from({ length: count }, (_, i) => keccak256(toHex(`${tag}-${i}`)));

function expectFault<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    return err as E;
  }
  throw new Error(`expected ${type.name}`);
}

describe("sdk/itemSample: a container shard's sampled proof, both halves", () => {
  const itemHashes = hashes(50);
  const root = commitOutputs({ mode: "items", itemHashes }).root;
  const beacon = keccak256(toHex("item-beacon"));

  it("reveals the protocol's sample with leaf proofs, which the verifier accepts", () => {
    const items = revealItemSample({ itemHashes, beacon });
    expect(items.map((i) => i.index)).to.deep.equal(sampleIndices(beacon, 50, SAMPLE_SIZE));
    items.forEach((item) => expect(item.outputHash).to.equal(itemHashes[item.index]));
    expect(verifyItemSample({ root, beacon, itemCount: 50, items }).indices).to.deep.equal(items.map((i) => i.index));
  });

  it("samples every item of a shard smaller than s", () => {
    const few = hashes(3);
    const items = revealItemSample({ itemHashes: few, beacon });
    expect([...items.map((i) => i.index)].sort()).to.deep.equal([0, 1, 2]);
    verifyItemSample({ root: commitOutputs({ mode: "items", itemHashes: few }).root, beacon, itemCount: 3, items });
  });

  it("refuses another sample (missing, reordered, another s, another beacon) before any proof", () => {
    const items = revealItemSample({ itemHashes, beacon });
    const wrong = [
      items.slice(1),
      [...items].reverse(),
      revealItemSample({ itemHashes, beacon, s: 8 }),
      revealItemSample({ itemHashes, beacon: keccak256(toHex("other")) }),
    ];
    for (const posted of wrong) {
      const err = expectFault(
        () => verifyItemSample({ root: keccak256("0x00"), beacon, itemCount: 50, items: posted }),
        ItemSampleError,
      );
      expect(err.code).to.equal("ITEM_SAMPLE_MISMATCH");
      expect(err.expected).to.deep.equal(items.map((i) => i.index));
      expect(err.got).to.deep.equal(posted.map((i) => i.index));
    }
  });

  it("refuses a leaf outside the root, naming the first such item", () => {
    const items = revealItemSample({ itemHashes, beacon });
    const forged = items.map((item, p) => (p === 2 ? { ...item, outputHash: keccak256(toHex("forged")) } : item));
    const err = expectFault(() => verifyItemSample({ root, beacon, itemCount: 50, items: forged }), ItemProofError);
    expect(err.code).to.equal("ITEM_BAD_PROOF");
    expect(err.message).to.equal(`item ${items[2].index} is not in the submitted root`);
    const otherRoot = commitOutputs({ mode: "items", itemHashes: hashes(50, "other") }).root;
    expectFault(() => verifyItemSample({ root: otherRoot, beacon, itemCount: 50, items }), ItemProofError);
    const garbled = items.map((item, p) => (p === 0 ? { ...item, proof: ["0x1234" as Hex] } : item));
    expectFault(() => verifyItemSample({ root, beacon, itemCount: 50, items: garbled }), ItemProofError);
  });

  it("has nothing to reveal for a shard without items", () => {
    expect(() => revealItemSample({ itemHashes: [], beacon })).to.throw(PowWorkloadError);
  });
});
