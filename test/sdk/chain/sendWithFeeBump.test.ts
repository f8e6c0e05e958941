// The fee-bump policy against Hardhat with automine off: a transaction left in the mempool is
// replaced (same nonce, fees +12.5 %) until the cap, and the replacement is what gets mined.
// Old rule (agent/chain/agentChain.ts before issue 18): one broadcast, then waitForTransactionReceipt
// for ever; a transaction priced under a rising base fee stayed stuck with its nonce, and every
// later transaction of the operator (submit, settle) queued behind it.
import { expect } from "chai";
import { network } from "hardhat";
import { createPublicClient, createWalletClient, custom, parseGwei, type Hex, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { hardhatAccount } from "../../../fixtures/agentHarness";
import { bumpedFees, FeeBumpSender, type Eip1559Fees } from "../../../sdk/chain/sendWithFeeBump";
import type { Logger } from "../../../sdk/log/createLogger";

describe("sdk/chain FeeBumpSender", function () {
  const account = hardhatAccount(17);
  const to = hardhatAccount(18).address;
  const publicClient = createPublicClient({ chain: hardhat, transport: custom(network.provider) }) as PublicClient;
  const walletClient = createWalletClient({ chain: hardhat, transport: custom(network.provider), account });

  beforeEach(async function () {
    await network.provider.send("evm_setAutomine", [false]);
  });
  afterEach(async function () {
    await network.provider.send("evm_mine", []);
    await network.provider.send("evm_setAutomine", [true]);
  });

  it("raises both fee caps by at least 12.5 % and stops at the cap", function () {
    const fees = { maxFeePerGas: 1_000_000_001n, maxPriorityFeePerGas: 7n };
    const next = bumpedFees(fees, 10n ** 12n)!;
    expect(next.maxFeePerGas * 8n >= fees.maxFeePerGas * 9n).to.equal(true);
    expect(next.maxPriorityFeePerGas * 8n >= fees.maxPriorityFeePerGas * 9n).to.equal(true);
    expect(next.maxFeePerGas).to.equal(1_125_000_002n); // 1,000,000,001 + ⌈1,000,000,001 / 8⌉
    expect(bumpedFees(fees, 1_125_000_001n)).to.equal(undefined);
  });

  it("replaces a transaction left unmined with the same nonce and higher fees; the replacement is mined", async function () {
    const replaced: { nonce: number; hash: Hex; replaced: Hex; fees: Eip1559Fees }[] = [];
    let sawReplacement!: () => void;
    const replacement = new Promise<void>((resolve) => (sawReplacement = resolve));
    const sender = new FeeBumpSender({
      publicClient,
      walletClient,
      account,
      policy: { bumpAfterMs: 200, maxFeePerGas: parseGwei("1000") },
      pollingIntervalMs: 20,
      onReplaced: (event) => {
        replaced.push(event);
        sawReplacement();
      },
    });
    const pending = await sender.broadcast({ to, data: "0x", gas: 21_000n, value: 1n });
    const first = { ...pending.fees };
    const original = pending.hashes[0];
    const mined = sender.waitMined(pending);
    await replacement; // no block is mined until the sender has replaced it
    await network.provider.send("evm_mine", []);
    const result = await mined;

    expect(replaced.length).to.be.greaterThanOrEqual(1);
    expect(result.hash).to.equal(replaced[replaced.length - 1].hash);
    expect(result.hash).to.not.equal(original);
    expect(result.receipt.status).to.equal("success");
    expect(result.replacements).to.equal(replaced.length);
    const tx = await publicClient.getTransaction({ hash: result.hash });
    expect(tx.nonce).to.equal(pending.nonce);
    expect(tx.maxFeePerGas! * 8n >= first.maxFeePerGas * 9n).to.equal(true);
    expect(tx.maxPriorityFeePerGas! * 8n >= first.maxPriorityFeePerGas * 9n).to.equal(true);
    // The first broadcast was dropped for its replacement: never mined.
    let originalReceipt: unknown;
    try {
      originalReceipt = await publicClient.getTransactionReceipt({ hash: original });
    } catch {
      originalReceipt = undefined;
    }
    expect(originalReceipt).to.equal(undefined);
    console.log(
      `      fee bump: maxFeePerGas ${first.maxFeePerGas} → ${tx.maxFeePerGas} wei after ${replaced.length} replacement(s)`,
    );
  });

  it("stops raising at txMaxFee: one replacement fits under the cap, the next would not", async function () {
    const warnings: string[] = [];
    const suggested = await publicClient.estimateFeesPerGas();
    // Room for one raise (×1.125) but not two (×1.265...).
    const cap = suggested.maxFeePerGas + (suggested.maxFeePerGas * 2n) / 10n;
    let atCap!: () => void;
    const capped = new Promise<void>((resolve) => (atCap = resolve));
    const sender = new FeeBumpSender({
      publicClient,
      walletClient,
      account,
      logger: {
        warn: (obj: unknown, msg?: string) => {
          warnings.push(msg ?? String(obj));
          if (/at the cap/.test(msg ?? "")) atCap();
        },
      } as unknown as Logger,
      policy: { bumpAfterMs: 100, maxFeePerGas: cap },
      pollingIntervalMs: 20,
    });
    const pending = await sender.broadcast({ to, data: "0x", gas: 21_000n, value: 1n });
    const mined = sender.waitMined(pending);
    await capped;
    await network.provider.send("evm_mine", []);
    const result = await mined;
    expect(result.replacements).to.equal(1);
    const tx = await publicClient.getTransaction({ hash: result.hash });
    expect(tx.maxFeePerGas! <= cap).to.equal(true);
    expect(warnings.filter((w) => /replaced with fees raised/.test(w))).to.have.length(1);
  });
});
