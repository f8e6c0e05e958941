import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { formatEther } from "ethers";
import { jobParamsFor } from "../../../fixtures/protocolFixture";
import { Verdict } from "../../../sdk/eip712/types";
import { runEpochs } from "../runEpochs";
import type { SimRow } from "../simRow";
import {
  backgroundProves,
  claimOperator,
  createWorld,
  currentEpoch,
  newOperator,
  proveCapacity,
  RGL,
  rewardOf,
  settleAll,
  signShard,
  STAKE,
  type Actor,
  type World,
} from "../world";

/**
 * Slashed cheater: in its second epoch it accepts a job and submits a wrong result in the epoch's
 * last seconds; in the first block of the next epoch it settles and claims everything it can before
 * the committee's Invalid verdict lands and slashes it; it keeps answering capacity challenges while
 * jailed. Its honest twin (same stake, same GPU, no job) claims every epoch too; both take what has
 * vested at the end of the run. The rule (issue 19, PROTOCOL §10): a slashed operator is owed
 * nothing for the epoch of its fault nor for the epochs it is jailed in. So the honest share here is
 * the twin's reward minus the twin's settled parts of those epochs; the slash itself (collateral) is
 * the penalty for the fault and is not counted as a reward.
 */
export async function playSlashedCheater(epochs: number): Promise<SimRow> {
  const w = await createWorld("cheater");
  const cheater = await newOperator(w, "cheater", STAKE);
  const twin = await newOperator(w, "cheater-twin", STAKE);
  const dev = w.p.devs[0];
  const rgl = await w.p.rgl.getAddress();
  const first = (await currentEpoch(w)) + 1n;
  const faultEpoch = first + 1n;
  const forfeited = new Set<bigint>([faultEpoch]);
  let jobId = 0n;
  let slashed = 0n;
  let burned = 0n;
  await runEpochs(w, first, Math.max(epochs, 4), {
    boundary: async (e) => {
      if (e === first) return;
      await claimOperator(w, cheater);
      await claimOperator(w, twin);
      if (e !== faultEpoch + 1n) return;
      const before = (await w.p.staking.operatorInfo(cheater.address)).selfStake;
      const { signatures, ...attestation } = await signShard(w, jobId, 0, Verdict.Invalid);
      await w.p.market.settle(attestation, signatures);
      slashed = before - (await w.p.staking.operatorInfo(cheater.address)).selfStake;
      burned = await burnedAtSlash(w, cheater);
    },
    middle: async (e) => {
      await backgroundProves(w);
      if ((await w.p.staking.jailedUntil(cheater.address)) > BigInt(await time.latest())) forfeited.add(e);
      await proveCapacity(w, cheater);
      await proveCapacity(w, twin);
      if (e !== faultEpoch) return;
      await w.p.market.connect(dev).createJob(await jobParamsFor(rgl, { maxPricePerUnit: RGL(10n) }));
      jobId = await w.p.market.jobCount();
      await w.p.market.connect(cheater).accept(jobId, 0);
    },
    lastBlock: async (e) => {
      if (e === faultEpoch) await w.p.market.connect(cheater).submit(jobId, 0, ethers.id("wrong"), 100n, "");
    },
  });
  await settleAll(w, [cheater, twin], []);
  const twinParts = await operatorParts(w, twin);
  const owedNothing = [...forfeited].reduce((sum, e) => sum + (twinParts.get(e) ?? 0n), 0n);
  const epochsNote = [...forfeited].map((e) => String(e - first + 1n)).join(", ");
  return {
    strategy: "slashed cheater",
    reward: rewardOf(w, cheater),
    honest: rewardOf(w, twin) - owedNothing,
    honestActor: "twin's reward outside the fault and jail epochs",
    note: `slashed ${rglText(slashed)} RGL; fault and jail: epoch(s) ${epochsNote} of the run, where the twin earned ${rglText(owedNothing)} RGL; the cheater's unvested ${rglText(burned)} RGL burned at the slash`,
  };
}

/** The operator part (commission + self share) settled for each epoch, from `EpochSettled`. */
async function operatorParts(w: World, op: Actor): Promise<Map<bigint, bigint>> {
  const logs = await w.p.rewards.queryFilter(w.p.rewards.filters.EpochSettled(op.address));
  return new Map(logs.map((l) => [l.args.epoch, l.args.commission + l.args.selfShare]));
}

/** What the last slash burned of the operator's unvested parts (0 on contracts without vesting). */
async function burnedAtSlash(w: World, op: Actor): Promise<bigint> {
  if (!w.p.rewards.filters.VestingForfeited) return 0n;
  const logs = await w.p.rewards.queryFilter(w.p.rewards.filters.VestingForfeited(op.address));
  return logs.reduce((sum, l) => sum + l.args.amount, 0n);
}

function rglText(wei: bigint): string {
  return Number(formatEther(wei)).toFixed(2);
}
