// One `param_change` row per parameter, role or pause event: the event's arguments as JSON.
import type { Context } from "ponder:registry";
import { paramChange } from "ponder:schema";
import type { Hex } from "viem";
import { eventId } from "./eventKeys";

interface GovernanceEvent {
  args: unknown;
  block: { number: bigint; timestamp: bigint };
  log: { logIndex: number };
  transaction: { hash: Hex };
}

/** The arguments as JSON, every bigint a decimal string (structs stay objects). */
export function argsJson(args: unknown): string {
  return JSON.stringify(args ?? {}, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/** Records `name` ("Contract:Event") with its arguments. */
export async function recordParamChange(context: Context, event: GovernanceEvent, name: string): Promise<void> {
  const [contract, eventName] = name.split(":");
  await context.db.insert(paramChange).values({
    id: eventId(event),
    contract,
    event: eventName,
    args: argsJson(event.args),
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    timestamp: event.block.timestamp,
    txHash: event.transaction.hash,
  });
}
