// What `rigel agent init` tells a new operator to fund (agent/doctor/fundingEstimate.ts), and the
// next steps it prints.
import { expect } from "chai";
import { parseEther } from "viem";
import {
  estimateFunding,
  lowGasThreshold,
  minimumStake,
  operatorGas,
  OPERATOR_GAS,
} from "../../agent/doctor/fundingEstimate";
import { initNextSteps } from "../../agent/cli";

const GWEI = 10n ** 9n;

describe("agent init's funding estimate", () => {
  it("ETH: the setup, 10 shards, a withdrawal and a claim at today's fee, twice over", () => {
    // approve 50k + register 250k + stake 320k + benchmark 180k + 10 × 500k + withdraw 50k + claim 370k.
    expect(operatorGas(10n)).to.equal(6_220_000n);
    const f = estimateFunding({
      maxFeePerGas: 3n * GWEI,
      collateralRatioBps: 15_000n,
      shardValue: parseEther("100"),
      shards: 10n,
    });
    // 6,220,000 gas × 3 gwei × 2 = 0.03732 ETH.
    expect(f.ethWei).to.equal(parseEther("0.03732"));
    expect(f.ethReason).to.contain("6,220,000 gas at 3 gwei, ×2 margin");
  });

  it("RGL: the collateral one shard of the chosen value locks, rounded up", () => {
    expect(minimumStake(parseEther("100"), 15_000n)).to.equal(parseEther("150"));
    // 1 wei at 150 %: 1.5 wei rounds up to 2 (a stake of 1 wei could not take it).
    expect(minimumStake(1n, 15_000n)).to.equal(2n);
    const f = estimateFunding({
      maxFeePerGas: GWEI,
      collateralRatioBps: 20_000n,
      shardValue: parseEther("5"),
      shards: 1n,
    });
    expect(f.rglWei).to.equal(parseEther("10"));
    expect(f.rglReason).to.contain("200 % of its value");
  });

  it("status warns below five shards' transactions", () => {
    expect(lowGasThreshold(2n * GWEI)).to.equal(5n * OPERATOR_GAS.perShard * 2n * GWEI);
  });

  it("prints the address to fund, both amounts and the exact commands that follow", () => {
    const text = initNextSteps({
      operator: "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A",
      config: "/home/op/rigel-agent/rigel-agent.json",
      chain: "chain 31337 (http://127.0.0.1:8545)",
      funding: estimateFunding({
        maxFeePerGas: 3n * GWEI,
        collateralRatioBps: 15_000n,
        shardValue: parseEther("100"),
        shards: 10n,
      }),
    });
    expect(text).to.contain("1. Fund 0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A on chain 31337");
    expect(text).to.contain("0.03732 ETH");
    expect(text).to.contain("150 RGL");
    expect(text).to.contain("rigel agent doctor --config /home/op/rigel-agent/rigel-agent.json");
    expect(text).to.contain("rigel agent stake --amount 150 --config /home/op/rigel-agent/rigel-agent.json");
    expect(text).to.contain("rigel agent run --config");
  });
});
