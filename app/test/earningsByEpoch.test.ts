import { describe, expect, it } from "vitest";
import { parseRigelConfig } from "../src/chain/rigelConfig";
import { earningsByEpoch } from "../src/lib/earningsByEpoch";

describe("earningsByEpoch", () => {
  it("buckets work payments by block time and rewards (commission + self share) by their epoch", () => {
    // genesis 1000, epochs of 60 s: t=1000..1059 is epoch 0, 1060..1119 epoch 1, …
    const rows = earningsByEpoch(
      [
        { epoch: 1n, reward: 10n, commission: 1n, selfShare: 4n, poolShare: 5n },
        { epoch: 9n, reward: 99n, commission: 9n, selfShare: 9n, poolShare: 81n }, // outside the range
      ],
      [
        { at: 1059n, paid: 7n },
        { at: 1060n, paid: 3n },
        { at: 1179n, paid: 2n },
        { at: 1180n, paid: 50n }, // epoch 3: outside the range
      ],
      1000n,
      60n,
      0n,
      2n,
    );
    expect(rows).toEqual([
      { epoch: 0n, work: 7n, rewards: 0n },
      { epoch: 1n, work: 3n, rewards: 5n },
      { epoch: 2n, work: 2n, rewards: 0n },
    ]);
    expect(earningsByEpoch([], [], 0n, 60n, 3n, 2n)).toEqual([]);
  });
});

describe("rigel.json livenessWindowSec", () => {
  const base = {
    rpcUrl: "http://127.0.0.1:8545",
    deployment: {
      chainId: 31337,
      network: "localhost",
      deployer: "0x00000000000000000000000000000000000000a1",
      block: 1,
      contracts: Object.fromEntries(
        [
          "ComputeToken",
          "OracleCommittee",
          "OperatorStaking",
          "RewardsDistributor",
          "JobMarket",
          "TimelockController",
        ].map((name) => [name, "0x00000000000000000000000000000000000000a1"]),
      ),
      parameters: {},
    },
  };
  it("is optional and must be a whole number of seconds ≥ 1", () => {
    expect(parseRigelConfig({ ...base, livenessWindowSec: 3 }).livenessWindowSec).toBe(3);
    expect(parseRigelConfig(base).livenessWindowSec).toBeUndefined();
    expect(() => parseRigelConfig({ ...base, livenessWindowSec: 0 })).toThrow(/livenessWindowSec/);
  });
});
