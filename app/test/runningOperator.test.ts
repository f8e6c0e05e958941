import { zeroAddress, type Address } from "viem";
import { describe, expect, it } from "vitest";
import { ShardState } from "../../sdk/market/enums";
import { runningOperator } from "../src/components/ShardResults";

const op = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" as Address;
const other = "0x976EA74026E726554dB657fA54763abd0C3a0aa9" as Address;

describe("runningOperator: whose agent serves a shard's live log (PROTOCOL §14.11, §16.9)", () => {
  it("an Accepted shard: its operator", () => {
    expect(runningOperator({ state: ShardState.Accepted, operator: op, assigned: zeroAddress })).toBe(op);
  });

  it("an Open shard assigned to an operator: the assignee, whose agent runs it before acceptAndSubmit (§20.7)", () => {
    // The old rule showed the log only on Accepted shards: an assigned shard runs while still Open,
    // so its log was never offered.
    expect(runningOperator({ state: ShardState.Open, operator: zeroAddress, assigned: other })).toBe(other);
  });

  it("an Open shard nobody is assigned, and every later state: none", () => {
    expect(runningOperator({ state: ShardState.Open, operator: zeroAddress, assigned: zeroAddress })).toBeUndefined();
    for (const state of [ShardState.Submitted, ShardState.Settled, ShardState.Expired, ShardState.Cancelled]) {
      expect(runningOperator({ state, operator: op, assigned: op })).toBeUndefined();
    }
  });
});
