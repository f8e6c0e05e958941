import type { Hex } from "viem";
import { RigelError } from "../../sdk/errors/RigelError";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";

/**
 * Fault injection for demos and tests of slashing: an agent configured with `devCheat: corrupt-rows`
 * commits a C whose every row is wrong, so any sampled row fails the committee's check and the shard
 * is slashed; `cheaper-model` generates every llm-inference shard with only ⌈n_layer / 2⌉ of the
 * model's layers (docs/PROTOCOL.md §19.7), which the activations check finds. It is refused on every
 * chain but the local dev chain (31337): no operator can turn it on by mistake against real money.
 */
export type DevCheat = "none" | "corrupt-rows" | "cheaper-model";

/** Every cheat {@link devCheatFor} knows. */
export const DEV_CHEATS = ["none", "corrupt-rows", "cheaper-model"] as const;

/** The only chain on which {@link devCheatFor} allows a cheat. */
export const DEV_CHEAT_CHAIN_ID = 31337;

export class DevCheatRefusedError extends RigelError {
  override readonly name = "DevCheatRefusedError";
}

/** The cheat to run with, or an error when one is asked for off the dev chain. */
export function devCheatFor(cheat: string, chainId: number): DevCheat | undefined {
  if (cheat === "none") return undefined;
  if (cheat !== "corrupt-rows" && cheat !== "cheaper-model") {
    throw new DevCheatRefusedError("AGENT_DEV_CHEAT_UNKNOWN", `unknown devCheat "${cheat}" (${DEV_CHEATS.join(", ")})`);
  }
  if (chainId !== DEV_CHEAT_CHAIN_ID) {
    throw new DevCheatRefusedError(
      "AGENT_DEV_CHEAT_REFUSED",
      `devCheat "${cheat}" is only allowed on the local dev chain ${DEV_CHEAT_CHAIN_ID}, not chain ${chainId}`,
    );
  }
  return cheat;
}

/** Adds one to the first value of every row of `c` (m × n, in place) and returns the new row root. */
export function corruptRows(c: Int32Array, m: number, n: number): Hex {
  for (let i = 0; i < m; i++) c[i * n] = (c[i * n] + 1) | 0;
  return commitRows(rowHashes(c, m, n)).root;
}
