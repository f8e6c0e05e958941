import type { Hex } from "viem";
import { RigelError } from "../errors/RigelError";

/** The posted items are not exactly the indices drawn from the beacon, in the order drawn. */
export class ItemSampleError extends RigelError {
  override readonly name = "ItemSampleError";
  constructor(
    readonly expected: readonly number[],
    readonly got: readonly number[],
  ) {
    super("ITEM_SAMPLE_MISMATCH", "the items are not the sample drawn from the shard's beacon", {
      details: { expected: [...expected], got: [...got] },
    });
  }
}

/** A posted leaf `[index, outputHash]` is not in the committed outputs tree: the prover cannot open its own root. */
export class ItemProofError extends RigelError {
  override readonly name = "ItemProofError";
  constructor(
    readonly index: number,
    readonly outputHash: Hex,
    readonly root: Hex,
  ) {
    super("ITEM_BAD_PROOF", `item ${index} is not in the submitted root`, { details: { index, outputHash, root } });
  }
}
