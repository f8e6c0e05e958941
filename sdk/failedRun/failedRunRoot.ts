import { encodeAbiParameters, keccak256, type Hex } from "viem";
import type { FailedRunJson } from "../oracleApi/types";

/** Domain tag of a failed-run commitment (PROTOCOL §18.2). */
export const FAILED_RUN_TAG = "rigel-failed-run-v1";

/**
 * The result root an operator submits when the developer's code failed on an item (PROTOCOL
 * §18.2): `keccak256(abi.encode(string "rigel-failed-run-v1", bool single, uint32 item, string
 * status, int32 exitCode))`, `single` true (and `item` 0) for a single-run job. It commits to the
 * failure before any oracle sees it, so the proof cannot name another item or status later; it can
 * never equal an outputs root (§12.4), which hashes other preimages.
 */
export function failedRunRoot(failure: FailedRunJson): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "string" }, { type: "bool" }, { type: "uint32" }, { type: "string" }, { type: "int32" }],
      [FAILED_RUN_TAG, failure.item === null, failure.item ?? 0, failure.status, failure.exitCode],
    ),
  );
}
