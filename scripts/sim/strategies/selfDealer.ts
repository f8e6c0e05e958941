import { ethers } from "hardhat";
import { formatEther } from "ethers";
import { jobParamsFor } from "../../../fixtures/protocolFixture";
import { Verdict } from "../../../sdk/eip712/types";
import { runEpochs } from "../runEpochs";
import type { SimRow } from "../simRow";
import {
  backgroundProves,
  createWorld,
  credit,
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
 * Self-dealer (PROTOCOL §10.5): every epoch it creates a job paid in RGL (100 units at 10 RGL), accepts
 * it itself, submits, gets the committee's Valid verdict and settles: it pays the protocol fee and
 * earns the fee's work points, alone in the epoch's work emission. What it took out counts net of
 * what the jobs cost it. Its honest twin runs no jobs.
 */
export async function playSelfDealer(epochs: number): Promise<SimRow> {
  const w = await createWorld("self-dealer");
  const dealer = await newOperator(w, "self-dealer", STAKE, RGL(10_000n));
  const twin = await newOperator(w, "self-dealer-twin", STAKE);
  const rgl = await w.p.rgl.getAddress();
  let jobs = 0;
  let cost = 0n;
  await runEpochs(w, (await currentEpoch(w)) + 1n, epochs, {
    middle: async () => {
      await backgroundProves(w);
      await proveCapacity(w, dealer);
      await proveCapacity(w, twin);
      const before = await w.p.rgl.balanceOf(dealer.address);
      await w.p.market.connect(dealer).createJob(await jobParamsFor(rgl, { maxPricePerUnit: RGL(10n) }));
      const jobId = await w.p.market.jobCount();
      await w.p.market.connect(dealer).accept(jobId, 0);
      await w.p.market.connect(dealer).submit(jobId, 0, ethers.id(`self-dealt-${jobId}`), 100n, "");
      const { signatures, ...attestation } = await signShard(w, jobId, 0, Verdict.Valid);
      await w.p.market.settle(attestation, signatures);
      // Its pay and refund are credited (pull payments, PROTOCOL §20.1): it withdraws them.
      await w.p.market.connect(dealer).withdraw(rgl, dealer.address);
      const paid = before - (await w.p.rgl.balanceOf(dealer.address));
      credit(w, dealer, -paid);
      cost += paid;
      jobs++;
    },
  });
  await settleAll(w, [dealer, twin], []);
  return {
    strategy: "self-dealer",
    reward: rewardOf(w, dealer),
    honest: rewardOf(w, twin),
    honestActor: "twin without jobs",
    note: `${jobs} self-dealt jobs of 1,000 RGL; fees paid ${Number(formatEther(cost)).toFixed(2)} RGL (counted against it)`,
  };
}
