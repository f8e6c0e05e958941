import { describe, expect, it } from "vitest";
import { epochWindow, expectedDelegationReward, yieldOverWindow } from "../src/lib/yieldOverWindow";

const RGL = 10n ** 18n;
const DAY = 86_400n;

describe("yieldOverWindow", () => {
  it("averages over the window, counts unsettled epochs as 0 and annualises", () => {
    // Epochs of one day; window = the 4 epochs before epoch 10 (6..9); 7 is unsettled.
    const settled = [
      { epoch: 5n, reward: 1000n * RGL, commission: 100n * RGL, poolShare: 0n }, // outside
      { epoch: 6n, reward: 10n * RGL, commission: 1n * RGL, poolShare: 0n },
      { epoch: 8n, reward: 20n * RGL, commission: 2n * RGL, poolShare: 0n },
      { epoch: 9n, reward: 10n * RGL, commission: 1n * RGL, poolShare: 0n },
    ];
    const y = yieldOverWindow({ settled, currentEpoch: 10n, windowEpochs: 4n, epochLength: DAY, stake: 3650n * RGL });
    expect([y.first, y.last, y.epochs]).toEqual([6n, 9n, 4n]);
    expect(y.rewardSum).toBe(40n * RGL);
    expect(y.afterCommissionSum).toBe(36n * RGL);
    // 40 / 4 = 10 RGL a day, × 365 = 3650 RGL a year over 3650 RGL of stake: 100 %.
    expect(y.operatorYieldBps).toBe(10_000n);
    // 36 / 4 = 9 a day → 90 %.
    expect(y.delegatorYieldBps).toBe(9_000n);
  });
  it("is not the last epoch alone: one empty last epoch does not drop it to 0", () => {
    const settled = [{ epoch: 8n, reward: 20n * RGL, commission: 0n, poolShare: 0n }];
    const lastOnly = yieldOverWindow({ settled, currentEpoch: 10n, windowEpochs: 1n, epochLength: DAY, stake: RGL });
    const window = yieldOverWindow({ settled, currentEpoch: 10n, windowEpochs: 7n, epochLength: DAY, stake: RGL });
    expect(lastOnly.operatorYieldBps).toBe(0n);
    expect(window.operatorYieldBps).toBe((20n * 365n * 10_000n) / 7n);
  });
  it("cuts the window at epoch 0 and gives 0 without stake or epochs", () => {
    expect(epochWindow(3n, 10n)).toEqual({ first: 0n, last: 2n });
    const empty = yieldOverWindow({ settled: [], currentEpoch: 0n, windowEpochs: 5n, epochLength: DAY, stake: RGL });
    expect(empty.epochs).toBe(0n);
    expect(empty.operatorYieldBps).toBe(0n);
    const noStake = yieldOverWindow({
      settled: [{ epoch: 0n, reward: RGL, commission: 0n, poolShare: 0n }],
      currentEpoch: 1n,
      windowEpochs: 1n,
      epochLength: DAY,
      stake: 0n,
    });
    expect(noStake.operatorYieldBps).toBe(0n);
  });
});

describe("expectedDelegationReward", () => {
  it("dilutes a new delegation into the stake and annualises per epoch", () => {
    // 9 RGL a day after commission on 900 RGL of stake; 100 RGL more makes 1000: 100/1000 × 9 = 0.9 a day.
    const r = expectedDelegationReward({
      amount: 100n * RGL,
      afterCommissionSum: 36n * RGL,
      epochs: 4n,
      stake: 900n * RGL,
      epochLength: DAY,
    });
    expect(r.perEpoch).toBe((9n * RGL) / 10n);
    expect(r.perYear).toBe((9n * RGL * 365n) / 10n);
  });
  it("an existing delegation is already in the stake", () => {
    const r = expectedDelegationReward({
      amount: 100n * RGL,
      afterCommissionSum: 10n * RGL,
      epochs: 1n,
      stake: 1000n * RGL,
      included: true,
      epochLength: DAY,
    });
    expect(r.perEpoch).toBe(RGL);
  });
  it("gives 0 for an empty window", () => {
    const r = expectedDelegationReward({
      amount: RGL,
      afterCommissionSum: 0n,
      epochs: 0n,
      stake: 0n,
      epochLength: DAY,
    });
    expect(r).toEqual({ perEpoch: 0n, perYear: 0n });
  });
});
