import { epochStart, moveTo, type World } from "./world";

/**
 * What actors do at fixed moments of an epoch. Every step is optional; all run in chain time:
 * `boundary` in the first block of the epoch, `afterUnbonding` one unbonding period later (capital
 * undelegated or unstaked at the boundary has thawed), `afterSecondUnbonding` one more period later,
 * `middle` a third into the epoch (the committee's capacity challenges, jobs), `commissionNotice`
 * with the next transaction mined exactly `commissionDelay` before the epoch ends, `lastBlock` in the
 * epoch's last seconds.
 */
export interface EpochSteps {
  boundary?(epoch: bigint): Promise<void>;
  afterUnbonding?(epoch: bigint): Promise<void>;
  afterSecondUnbonding?(epoch: bigint): Promise<void>;
  middle?(epoch: bigint): Promise<void>;
  commissionNotice?(epoch: bigint, noticeAt: bigint): Promise<void>;
  lastBlock?(epoch: bigint): Promise<void>;
}

/**
 * Plays epochs `first … first + count − 1` step by step, then the `boundary` of epoch
 * `first + count` (where the last played epoch is settled). Returns that epoch.
 */
export async function runEpochs(w: World, first: bigint, count: number, steps: EpochSteps): Promise<bigint> {
  const unbonding = await w.p.staking.unbondingPeriod();
  const commissionDelay = await w.p.staking.commissionDelay();
  const middleOffset = w.epochLength / 3n;
  if (2n * unbonding + 60n > middleOffset || commissionDelay + 60n > w.epochLength - middleOffset) {
    throw new Error(
      `epoch of ${w.epochLength} s too short for unbonding ${unbonding} s, commission delay ${commissionDelay} s`,
    );
  }
  const end = first + BigInt(count);
  for (let e = first; e <= end; e++) {
    const start = epochStart(w, e);
    await moveTo(start);
    await steps.boundary?.(e);
    if (e === end) break;
    await moveTo(start + unbonding + 10n);
    await steps.afterUnbonding?.(e);
    await moveTo(start + 2n * unbonding + 20n);
    await steps.afterSecondUnbonding?.(e);
    await moveTo(start + middleOffset);
    await steps.middle?.(e);
    const next = epochStart(w, e + 1n);
    if (steps.commissionNotice) {
      await moveTo(next - commissionDelay - 30n);
      await steps.commissionNotice(e, next - commissionDelay);
    }
    await moveTo(next - 30n);
    await steps.lastBlock?.(e);
  }
  return end;
}
