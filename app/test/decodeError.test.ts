import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
  UserRejectedRequestError,
  type Address,
} from "viem";
import { describe, expect, it } from "vitest";
import { jobMarketAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import { decodeError, rigelErrorsAbi } from "../src/lib/decodeError";

const OP: Address = "0x00000000000000000000000000000000000000aa";
const E18 = 10n ** 18n;

function reverted(data: `0x${string}`, abi = rigelErrorsAbi) {
  return new ContractFunctionExecutionError(new ContractFunctionRevertedError({ abi, data, functionName: "accept" }), {
    abi,
    functionName: "accept",
  });
}

describe("decodeError", () => {
  it("decodes a custom error with its values into a sentence", () => {
    const data = encodeErrorResult({
      abi: jobMarketAbi,
      errorName: "MarketInsufficientStake",
      args: [OP, 10n * E18, 15n * E18],
    });
    const decoded = decodeError(reverted(data));
    expect(decoded.kind).toBe("revert");
    expect(decoded.errorName).toBe("MarketInsufficientStake");
    expect(decoded.message).toBe("MarketInsufficientStake: not enough free stake: 10 RGL free, 15 RGL needed");
  });

  it("decodes an error of another contract that bubbled up (staking under the market)", () => {
    const data = encodeErrorResult({ abi: operatorStakingAbi, errorName: "StakingStillThawing", args: [0n] });
    // The market's own ABI does not know the staking error: the decoder falls back to every Rigel error.
    const decoded = decodeError(
      reverted(
        data,
        jobMarketAbi.filter((i) => i.type === "error"),
      ),
    );
    expect(decoded.errorName).toBe("StakingStillThawing");
    expect(decoded.message).toContain("still thawing until 1970-01-01");
  });

  it("explains a withdrawal of nothing (pull payments)", () => {
    const data = encodeErrorResult({ abi: jobMarketAbi, errorName: "MarketNothingOwed", args: [OP, OP] });
    expect(decodeError(reverted(data)).message).toBe(
      "MarketNothingOwed: the market owes this account nothing in this token (already withdrawn?)",
    );
  });

  it("names an error without an explanation with its raw values", () => {
    const data = encodeErrorResult({ abi: jobMarketAbi, errorName: "MarketBadUnits", args: [9n, 4n] });
    expect(decodeError(reverted(data)).message).toBe("MarketBadUnits: 9, 4");
  });

  it("says when the user rejected the request", () => {
    const err = new UserRejectedRequestError(new Error("User denied transaction signature"));
    expect(decodeError(err)).toEqual({ kind: "rejected", message: "You rejected the request in your wallet." });
    expect(decodeError({ code: 4001, message: "no" }).kind).toBe("rejected");
  });

  it("says when the chain is unreachable", () => {
    const err = new HttpRequestError({ url: "http://127.0.0.1:1", details: "fetch failed" });
    expect(decodeError(err).kind).toBe("network");
  });
});
