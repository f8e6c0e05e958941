// Conservation of RGL across the whole protocol, rebuilt from the chain's own logs: every balance
// a Transfer log implies matches balanceOf, the supply equals genesis plus mints minus burns, every
// burn is a slash, a burned fee or an equivocation penalty, and each contract holds exactly what its
// own accounting says (staking: every operator's stake and pools; market: the escrow; committee: the
// bonds). Used after every end-to-end test and at the end of the demo.
import { getAddress, zeroAddress, type Address, type PublicClient } from "viem";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import type { Deployment } from "../../sdk/contracts/deployments";
import {
  equivocationReportedEvent as equivocationEvent,
  feeCollectedEvent as feeEvent,
  operatorRegisteredEvent as registeredEvent,
  signerBondedEvent as bondedEvent,
  slashedEvent,
  transferEvent,
} from "../../sdk/market/events";

export interface ConservationReport {
  ok: boolean;
  /** What was checked, one fact per line. */
  facts: string[];
  /** Every disagreement found; empty when ok. */
  problems: string[];
  totals: {
    supply: bigint;
    minted: bigint;
    burned: bigint;
    slashBurned: bigint;
    feeBurned: bigint;
    bondBurned: bigint;
  };
}

/** Checks RGL conservation from the deployment's first block to the latest one. */
export async function checkConservation(client: PublicClient, deployment: Deployment): Promise<ConservationReport> {
  const {
    ComputeToken: rgl,
    OperatorStaking: staking,
    JobMarket: market,
    OracleCommittee: committee,
  } = deployment.contracts;
  // One block for everything: logs up to it and every read at it, even while transactions land.
  const toBlock = await client.getBlockNumber({ cacheTime: 0 });
  const fromBlock = deployment.block;
  const range = { fromBlock, toBlock } as const;
  const facts: string[] = [];
  const problems: string[] = [];
  const check = (ok: boolean, fact: string, problem: string) => (ok ? facts.push(fact) : problems.push(problem));

  // 1. Replay every Transfer.
  const transfers = await client.getLogs({ address: rgl, event: transferEvent, ...range });
  const balances = new Map<Address, bigint>();
  let minted = 0n;
  let burned = 0n;
  for (const { args } of transfers) {
    const from = getAddress(args.from!);
    const to = getAddress(args.to!);
    const value = args.value!;
    if (from === zeroAddress) minted += value;
    else balances.set(from, (balances.get(from) ?? 0n) - value);
    if (to === zeroAddress) burned += value;
    else balances.set(to, (balances.get(to) ?? 0n) + value);
  }
  const supply = await client.readContract({
    blockNumber: toBlock,
    address: rgl,
    abi: computeTokenAbi,
    functionName: "totalSupply",
  });
  check(
    supply === minted - burned,
    `supply ${supply} = minted ${minted} − burned ${burned}`,
    `supply ${supply} ≠ minted ${minted} − burned ${burned}`,
  );
  let sum = 0n;
  let mismatched = 0;
  for (const [holder, expected] of balances) {
    const actual = await client.readContract({
      blockNumber: toBlock,
      address: rgl,
      abi: computeTokenAbi,
      functionName: "balanceOf",
      args: [holder],
    });
    sum += actual;
    if (actual !== expected) {
      mismatched++;
      problems.push(`balance of ${holder} is ${actual}, its transfers imply ${expected}`);
    }
  }
  if (mismatched === 0) facts.push(`${balances.size} holders' balances match their transfer history`);
  check(sum === supply, `Σ balances of ${balances.size} holders = supply`, `Σ balances ${sum} ≠ supply ${supply}`);

  // 2. Every burn is accounted for.
  const slashes = await client.getLogs({ address: staking, event: slashedEvent, ...range });
  const slashBurned = slashes.reduce((s, l) => s + l.args.burned!, 0n);
  const fees = await client.getLogs({ address: market, event: feeEvent, ...range });
  const feeBurned = fees
    .filter((l) => l.args.burned && getAddress(l.args.token!) === rgl)
    .reduce((s, l) => s + l.args.amount!, 0n);
  const equivocations = await client.getLogs({ address: committee, event: equivocationEvent, ...range });
  const bondBurned = equivocations.reduce((s, l) => s + l.args.slashed! - l.args.reporterReward!, 0n);
  check(
    burned === slashBurned + feeBurned + bondBurned,
    `burned ${burned} = slashes ${slashBurned} + fees ${feeBurned} + bonds ${bondBurned}`,
    `burned ${burned} ≠ slashes ${slashBurned} + fees ${feeBurned} + bonds ${bondBurned}`,
  );

  // 3. Each contract holds exactly what its accounting says.
  const operators = await client.getLogs({ address: staking, event: registeredEvent, ...range });
  let atStake = 0n;
  for (const { args } of operators) {
    const info = await client.readContract({
      blockNumber: toBlock,
      address: staking,
      abi: operatorStakingAbi,
      functionName: "operatorInfo",
      args: [args.operator!],
    });
    atStake += info.totalAtStake;
  }
  const stakingHeld = balances.get(getAddress(staking)) ?? 0n;
  check(
    stakingHeld === atStake,
    `staking holds ${stakingHeld} = Σ at stake of ${operators.length} operators`,
    `staking holds ${stakingHeld} ≠ Σ at stake ${atStake}`,
  );
  const escrow = await client.readContract({
    blockNumber: toBlock,
    address: market,
    abi: jobMarketAbi,
    functionName: "escrowOf",
    args: [rgl],
  });
  const marketHeld = balances.get(getAddress(market)) ?? 0n;
  check(marketHeld === escrow, `market holds ${marketHeld} = escrow`, `market holds ${marketHeld} ≠ escrow ${escrow}`);
  const signers = new Set(
    (await client.getLogs({ address: committee, event: bondedEvent, ...range })).map((l) => getAddress(l.args.signer!)),
  );
  let bonds = 0n;
  for (const signer of signers) {
    bonds += (
      await client.readContract({
        blockNumber: toBlock,
        address: committee,
        abi: oracleCommitteeAbi,
        functionName: "signerInfo",
        args: [signer],
      })
    ).bond;
  }
  const committeeHeld = balances.get(getAddress(committee)) ?? 0n;
  check(
    committeeHeld === bonds,
    `committee holds ${committeeHeld} = Σ bonds of ${signers.size} signers`,
    `committee holds ${committeeHeld} ≠ Σ bonds ${bonds}`,
  );
  return {
    ok: problems.length === 0,
    facts,
    problems,
    totals: { supply, minted, burned, slashBurned, feeBurned, bondBurned },
  };
}
