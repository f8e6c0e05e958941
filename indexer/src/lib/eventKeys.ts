// Keys and small helpers every handler file shares.
import type { Address } from "viem";

/** An event row's id: `<block>-<logIndex>`, unique and ordered within a chain. */
export function eventId(event: { block: { number: bigint }; log: { logIndex: number } }): string {
  return `${event.block.number}-${event.log.logIndex}`;
}

/** The row id of one (operator, delegator) delegation. */
export function delegationId(operator: Address, delegator: Address): string {
  return `${operator.toLowerCase()}-${delegator.toLowerCase()}`;
}

/** The UTC day (YYYY-MM-DD) of a block timestamp. */
export function utcDay(timestamp: bigint): string {
  return new Date(Number(timestamp) * 1000).toISOString().slice(0, 10);
}
