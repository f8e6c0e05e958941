import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { E18, paramsOf } from "./fixture";
import { deployProtocol, jobParamsFor, shardAttestation, type Protocol } from "../../../fixtures/protocolFixture";

// An operator that pays itself for fake jobs (it is both developer and operator, the committee
// signs Valid because the work is trivially "done") must lose RGL at every fee and emission
// setting governance can choose. docs/PROTOCOL.md §10.5 gives the argument; this checks it with the
// operator alone in the epoch (so it takes the whole work emission) and nobody delegating to it.

const hugeEmission = () => deployProtocol({ initialEmission: 10n ** 9n * E18, workShareBps: 10_000n });
const smallEmission = () => deployProtocol({ initialEmission: E18, workShareBps: 10_000n });

async function nextEpoch(p: Protocol): Promise<void> {
  const s = await p.rewards.schedule();
  await time.increaseTo(s.genesis + ((await p.rewards.currentEpoch()) + 1n) * s.epochLength);
}

/** Everything the operator owns in RGL: wallet, self-stake (locked included) and claimable. */
async function wealth(p: Protocol, who: string): Promise<bigint> {
  const info = await p.staking.operatorInfo(who);
  return (await p.rgl.balanceOf(who)) + info.selfStake + info.selfThawing + (await p.rewards.claimableRewards(who));
}

async function selfDeal(p: Protocol, feeBps: number, capBps: number, jobs: number): Promise<bigint> {
  const op = p.ops[0];
  await p.market.setParams({ ...(await paramsOf(p.market)), feeBps });
  await p.rewards.setWorkRewardCap(capBps);
  // Start from a clean epoch: earlier availability rewards are settled and not counted.
  await nextEpoch(p);
  await p.rewards.settleOperator(op.address);
  const before = await wealth(p, op.address);
  const rgl = await p.rgl.getAddress();
  for (let i = 0; i < jobs; i++) {
    await p.market.connect(op).createJob(await jobParamsFor(rgl, { maxPricePerUnit: E18 }));
    const jobId = await p.market.jobCount();
    await p.market.connect(op).accept(jobId, 0);
    await p.market.connect(op).submit(jobId, 0, ethers.id(`fake-${i}`), 100n, "");
    const { att, sigs } = await shardAttestation(p, jobId, 0);
    await p.market.settle(att, sigs);
  }
  // Its pay and its own refunds were credited (PROTOCOL §20.1): it withdraws them.
  if ((await p.market.owedOf(rgl, op.address)) > 0n) await p.market.connect(op).withdraw(rgl, op.address);
  await nextEpoch(p);
  if ((await p.rewards.claimableRewards(op.address)) > 0n) await p.rewards.connect(op).claim(op.address);
  return (await wealth(p, op.address)) - before;
}

describe("Self-dealing does not pay", () => {
  for (const [name, fixture] of [
    ["huge emission", hugeEmission],
    ["small emission", smallEmission],
  ] as const) {
    for (const feeBps of [1, 250, 1_000]) {
      for (const capBps of [0, 5_000, 9_999]) {
        it(`test_selfDealing_loses_${name.replace(" ", "")}_fee${feeBps}_cap${capBps}`, async () => {
          const p = await loadFixture(fixture);
          const pnl = await selfDeal(p, feeBps, capBps, 2);
          const fees = (2n * 100n * E18 * BigInt(feeBps)) / 10_000n;
          // Loss is at least the fee × (1 − cap): reward ≤ cap × points and points = fee in RGL.
          expect(pnl).to.be.lessThan(0n);
          expect(-pnl).to.be.greaterThanOrEqual((fees * BigInt(10_000 - capBps)) / 10_000n);
        });
      }
    }
  }

  it("test_selfDealing_zeroFee_earnsNothing", async () => {
    const p = await loadFixture(hugeEmission);
    const pnl = await selfDeal(p, 0, 9_999, 1);
    expect(pnl).to.equal(0n);
  });
});
