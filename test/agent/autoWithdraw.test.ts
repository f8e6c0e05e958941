import { expect } from "chai";
import type { Address, Hex } from "viem";
import { autoWithdraw } from "../../agent/daemon/autoWithdraw";

const A = "0x00000000000000000000000000000000000000aa" as Address;
const B = "0x00000000000000000000000000000000000000bb" as Address;
const OP = "0x0000000000000000000000000000000000000001" as Address;
const TO = "0x0000000000000000000000000000000000000002" as Address;

/** A chain double: what is owed per token, and every withdraw sent. */
function chainDouble(owed: Record<string, bigint>) {
  const sent: { token: Address; to: Address }[] = [];
  return {
    sent,
    chain: {
      address: OP,
      async owedOf(token: Address) {
        return owed[token] ?? 0n;
      },
      async withdraw(token: Address, to: Address) {
        sent.push({ token, to });
        owed[token] = 0n;
        return { hash: `0x${"cc".repeat(32)}` as Hex, blockNumber: 1n };
      },
    },
  };
}

describe("agent: autoWithdraw (pull payments, §20.7)", function () {
  it("withdraws each token owed at least the minimum, to the operator by default, and skips the rest", async function () {
    const { chain, sent } = chainDouble({ [A]: 100n, [B]: 99n });
    const done = await autoWithdraw({ chain, tokens: [A, B], min: 100n });
    expect(done).to.deep.equal([{ token: A, amount: 100n, hash: `0x${"cc".repeat(32)}` }]);
    expect(sent).to.deep.equal([{ token: A, to: OP }]);
  });

  it("pays the configured recipient, and sends nothing for a token owed nothing", async function () {
    const { chain, sent } = chainDouble({ [A]: 0n, [B]: 5n });
    const done = await autoWithdraw({ chain, tokens: [A, B], min: 1n, to: TO });
    expect(done.map((d) => d.token)).to.deep.equal([B]);
    expect(sent).to.deep.equal([{ token: B, to: TO }]);
  });

  it("passes a failed withdrawal through (the daemon retries at its next interval)", async function () {
    const { chain } = chainDouble({ [A]: 10n });
    chain.withdraw = async () => {
      throw new Error("MarketNothingOwed");
    };
    await autoWithdraw({ chain, tokens: [A], min: 1n }).then(
      () => expect.fail("resolved"),
      (err: Error) => expect(err.message).to.equal("MarketNothingOwed"),
    );
  });
});
