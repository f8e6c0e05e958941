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
} from "../world";

/**
 * Slashed cheater: in its second epoch it accepts a job and submits a wrong result in the epoch's
 * last seconds; in the first block of the next epoch it settles and claims everything before the
 * committee's Invalid verdict lands and slashes it; it keeps answering capacity challenges while
 * jailed. Its honest twin (same stake, same GPU, no job) claims every epoch too. The rule (issue 19,
 * PROTOCOL §10): a slashed operator is owed nothing for the epoch of its fault nor for the epochs it is
 * jailed in. So the honest share here is the twin's reward minus the twin's reward of those epochs;
 * the slash itself (collateral) is the penalty for the fault and is not counted as a reward.
 */
export async function playSlashedCheater(epochs: number): Promise<SimRow> {
  const w = await createWorld("cheater");
  const cheater = await newOperator(w, "cheater", STAKE);
  const twin = await newOperator(w, "cheater-twin", STAKE);
  const dev = w.p.devs[0];
  const rgl = await w.p.rgl.getAddress();
  const first = (await currentEpoch(w)) + 1n;
  const faultEpoch = first + 1n;
  const twinTake = new Map<bigint, bigint>();
  const cheaterTake = new Map<bigint, bigint>();
  const forfeited = new Set<bigint>([faultEpoch]);
  let jobId = 0n;
  let slashed = 0n;
  await runEpochs(w, first, Math.max(epochs, 4), {
    boundary: async (e) => {
      if (e === first) return;
      cheaterTake.set(e - 1n, await claimOperator(w, cheater));
      twinTake.set(e - 1n, await claimOperator(w, twin));
      if (e !== faultEpoch + 1n) return;
      const before = (await w.p.staking.operatorInfo(cheater.address)).selfStake;
      const { signatures, ...attestation } = await signShard(w, jobId, 0, Verdict.Invalid);
      await w.p.market.settle(attestation, signatures);
      slashed = before - (await w.p.staking.operatorInfo(cheater.address)).selfStake;
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
  const inWindow = (takes: Map<bigint, bigint>) => [...forfeited].reduce((sum, e) => sum + (takes.get(e) ?? 0n), 0n);
  const owedNothing = inWindow(twinTake);
  const epochsNote = [...forfeited].map((e) => String(e - first + 1n)).join(", ");
  return {
    strategy: "slashed cheater",
    reward: rewardOf(w, cheater),
    honest: rewardOf(w, twin) - owedNothing,
    honestActor: "twin's reward outside the fault and jail epochs",
    note: `slashed ${rglText(slashed)} RGL; fault and jail: epoch(s) ${epochsNote} of the run, where the twin earned ${rglText(owedNothing)} RGL and the cheater kept ${rglText(inWindow(cheaterTake))} RGL`,
  };
}

function rglText(wei: bigint): string {
  return Number(formatEther(wei)).toFixed(2);
}
