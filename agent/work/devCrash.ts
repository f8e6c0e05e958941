import { SHARD_STATES, type JournalEntry, type ShardState } from "../journal/journal";
import { DEV_CHEAT_CHAIN_ID, DevCheatRefusedError } from "./devCheat";

/** Called right after a journal transition is committed (see {@link devCrashFor}). */
export type AfterTransition = (entry: JournalEntry) => void;

/**
 * Fault injection for crash-safety tests: an agent configured with `devCrashAfter: <state>` kills
 * itself with SIGKILL right after its journal commits a shard's move to that state, so a test can
 * land a kill -9 in each phase of a shard's life deterministically instead of by timers. Refused on
 * every chain but the local dev chain (31337), like `devCheat`.
 */
export function devCrashFor(
  state: string,
  chainId: number,
  kill: () => void = () => process.kill(process.pid, "SIGKILL"),
): AfterTransition | undefined {
  if (state === "none") return undefined;
  if (!(SHARD_STATES as readonly string[]).includes(state)) {
    throw new DevCheatRefusedError(
      "AGENT_DEV_CRASH_UNKNOWN",
      `unknown devCrashAfter "${state}" (none, ${SHARD_STATES.join(", ")})`,
    );
  }
  if (chainId !== DEV_CHEAT_CHAIN_ID) {
    throw new DevCheatRefusedError(
      "AGENT_DEV_CRASH_REFUSED",
      `devCrashAfter is only allowed on the local dev chain ${DEV_CHEAT_CHAIN_ID}, not chain ${chainId}`,
    );
  }
  const target = state as ShardState;
  return (entry) => {
    if (entry.state === target) kill();
  };
}
