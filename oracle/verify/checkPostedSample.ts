import { HttpError } from "../../sdk/errors/HttpError";
import { ItemProofError, ItemSampleError } from "../../sdk/itemSample/errors";
import { verifyItemSample, type VerifyItemSampleParameters } from "../../sdk/itemSample/verifyItemSample";
import type { VerifierFinding } from "./verdict";

/**
 * The first step of every itemised verifier (container `sampled`, llm `activations`): the posted items
 * must be exactly the sample drawn from the shard's beacon (else HTTP 400 `ORACLE_SAMPLE_MISMATCH`,
 * nothing signed: a wrong request, not evidence), and each posted leaf must be in the submitted root
 * (else the Invalid finding, `ITEM_BAD_PROOF`: evidence against the operator). Returns the sampled
 * LOCAL indices, or that finding.
 */
export function checkPostedSample(p: VerifyItemSampleParameters): { indices: number[] } | { finding: VerifierFinding } {
  try {
    return { indices: verifyItemSample(p).indices };
  } catch (err) {
    if (err instanceof ItemSampleError) {
      throw new HttpError(400, "ORACLE_SAMPLE_MISMATCH", "items: not the sample drawn from the shard's beacon", {
        details: { field: "items", expected: err.expected, got: err.got },
        cause: err,
      });
    }
    if (err instanceof ItemProofError) {
      return { finding: { verdict: "invalid", reason: `${err.code}: ${err.message}`, verified: true } };
    }
    throw err;
  }
}
