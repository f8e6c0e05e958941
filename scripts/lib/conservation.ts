// Conservation of RGL across the whole protocol, rebuilt from the chain's own logs: every balance
// a Transfer log implies matches balanceOf, the supply equals genesis plus mints minus burns, every
// burn is a slash, a burned fee or an equivocation penalty, each contract holds exactly what its
// own accounting says (staking: every operator's stake and pools; market: the escrow plus what it owes,
// for every payment token; committee: the bonds), and the market's RGL moved exactly as its jobs and
// their shards' outcomes report. Payments are pulled (PROTOCOL §20.1): a shard's outcome credits
// `paid`, `refund` (and a non-RGL fee) to the parties' `owedOf` and burns an RGL fee at once; RGL
// leaves the market only by `withdraw` (`Withdrawn`) and those fee burns. So: escrow in = RGL in;
// Σ outcomes (paid + fee + refund for Settled and DeveloperFault, refund for Failed, Expired,
// Cancelled) = credited + burned fees; RGL out = Σ Withdrawn + burned fees; owedTotal = credited −
// withdrawn. Used after every end-to-end test, at the end of the demo and of the load run.
import { erc20Abi, getAddress, zeroAddress, type Address, type PublicClient } from "viem";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import type { Deployment } from "../../sdk/contracts/deployments";
import {
  equivocationReportedEvent as equivocationEvent,
  feeCollectedEvent as feeEvent,
  operatorRegisteredEvent as registeredEvent,
  signerBondedEvent as bondedEvent,
  slashedEvent,
  transferEvent,
  vestingForfeitedEvent,
} from "../../sdk/market/events";
import { inSpans } from "./inSpans";

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
    /** Unvested operator parts burned by slashes (RewardsDistributor, PROTOCOL §10.9). */
    vestingBurned: bigint;
    /** RGL the market owes (credited, not yet withdrawn) and RGL withdrawn from it. */
    owed: bigint;
    withdrawn: bigint;
    /** RGL escrow of the jobs created in RGL, and what their shards' outcome events paid out of it. */
    escrowIn: bigint;
    escrowOut: bigint;
    /** Shards of RGL jobs by outcome event (`ShardSettled`, `ShardDeveloperFault`, …). */
    outcomes: Record<string, number>;
  };
}

/** Checks RGL conservation from the deployment's first block to the latest one. */
export async function checkConservation(client: PublicClient, deployment: Deployment): Promise<ConservationReport> {
  const {
    ComputeToken: rgl,
    OperatorStaking: staking,
    JobMarket: market,
    OracleCommittee: committee,
    RewardsDistributor: rewards,
  } = deployment.contracts;
  // One block for everything: logs up to it and every read at it, even while transactions land.
  const toBlock = await client.getBlockNumber({ cacheTime: 0 });
  const fromBlock = deployment.block;
  const range = { fromBlock, toBlock } as const;
  const facts: string[] = [];
  const problems: string[] = [];
  const check = (ok: boolean, fact: string, problem: string) => (ok ? facts.push(fact) : problems.push(problem));

  // 1. Replay every Transfer.
  const transfers = await inSpans(range, (span) => client.getLogs({ address: rgl, event: transferEvent, ...span }));
  const balances = new Map<Address, bigint>();
  const marketAddress = getAddress(market);
  let minted = 0n;
  let burned = 0n;
  let marketIn = 0n;
  let marketOut = 0n;
  for (const { args } of transfers) {
    const from = getAddress(args.from!);
    const to = getAddress(args.to!);
    const value = args.value!;
    if (to === marketAddress) marketIn += value;
    if (from === marketAddress) marketOut += value;
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
  const slashes = await inSpans(range, (span) => client.getLogs({ address: staking, event: slashedEvent, ...span }));
  const slashBurned = slashes.reduce((s, l) => s + l.args.burned!, 0n);
  const fees = await inSpans(range, (span) => client.getLogs({ address: market, event: feeEvent, ...span }));
  const feeBurned = fees
    .filter((l) => l.args.burned && getAddress(l.args.token!) === rgl)
    .reduce((s, l) => s + l.args.amount!, 0n);
  const equivocations = await inSpans(range, (span) =>
    client.getLogs({ address: committee, event: equivocationEvent, ...span }),
  );
  const bondBurned = equivocations.reduce((s, l) => s + l.args.slashed! - l.args.reporterReward!, 0n);
  const forfeits = await inSpans(range, (span) =>
    client.getLogs({ address: rewards, event: vestingForfeitedEvent, ...span }),
  );
  const vestingBurned = forfeits.reduce((s, l) => s + l.args.amount!, 0n);
  check(
    burned === slashBurned + feeBurned + bondBurned + vestingBurned,
    `burned ${burned} = slashes ${slashBurned} + fees ${feeBurned} + bonds ${bondBurned} + forfeited vesting ${vestingBurned}`,
    `burned ${burned} ≠ slashes ${slashBurned} + fees ${feeBurned} + bonds ${bondBurned} + forfeited vesting ${vestingBurned}`,
  );

  // 3. Each contract holds exactly what its accounting says.
  const operators = await inSpans(range, (span) =>
    client.getLogs({ address: staking, event: registeredEvent, ...span }),
  );
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
  const owed = await client.readContract({
    blockNumber: toBlock,
    address: market,
    abi: jobMarketAbi,
    functionName: "owedTotal",
    args: [rgl],
  });
  const marketHeld = balances.get(getAddress(market)) ?? 0n;
  check(
    marketHeld === escrow + owed,
    `market holds ${marketHeld} = escrow ${escrow} + owed ${owed}`,
    `market holds ${marketHeld} ≠ escrow ${escrow} + owed ${owed}`,
  );
  for (const line of await otherTokensHeld(client, market, rgl, range)) check(line.ok, line.text, line.text);
  const signers = new Set(
    (await inSpans(range, (span) => client.getLogs({ address: committee, event: bondedEvent, ...span }))).map((l) =>
      getAddress(l.args.signer!),
    ),
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

  // 4. The market's RGL flows, job by job and shard by shard (PROTOCOL §9.3, §18.2).
  const flows = await marketFlows(client, market, rgl, range);
  check(
    marketIn === flows.escrowIn,
    `market received ${marketIn} = escrow of ${flows.jobs} RGL jobs`,
    `market received ${marketIn} ≠ escrow of ${flows.jobs} RGL jobs ${flows.escrowIn}`,
  );
  const byOutcome = Object.entries(flows.outcomes)
    .map(([name, n]) => `${n} ${name.replace(/^Shard/, "")}`)
    .join(", ");
  const credited = flows.escrowOut - feeBurned;
  check(
    owed === credited - flows.withdrawn,
    `market owes ${owed} = Σ outcomes of ${flows.shards} shards (${byOutcome || "none"}) ${flows.escrowOut} − fees burned ${feeBurned} − withdrawn ${flows.withdrawn}`,
    `market owes ${owed} ≠ Σ outcomes of ${flows.shards} shards (${byOutcome || "none"}) ${flows.escrowOut} − fees burned ${feeBurned} − withdrawn ${flows.withdrawn}`,
  );
  check(
    marketOut === flows.withdrawn + feeBurned,
    `market paid out ${marketOut} = withdrawn ${flows.withdrawn} + fees burned ${feeBurned}`,
    `market paid out ${marketOut} ≠ withdrawn ${flows.withdrawn} + fees burned ${feeBurned}`,
  );
  check(
    feeBurned === flows.fees,
    `fees burned ${feeBurned} = Σ fees of Settled and DeveloperFault RGL shards`,
    `fees burned ${feeBurned} ≠ Σ fees ${flows.fees} of Settled and DeveloperFault RGL shards`,
  );
  return {
    ok: problems.length === 0,
    facts,
    problems,
    totals: {
      supply,
      minted,
      burned,
      slashBurned,
      feeBurned,
      bondBurned,
      vestingBurned,
      owed,
      withdrawn: flows.withdrawn,
      escrowIn: flows.escrowIn,
      escrowOut: flows.escrowOut,
      outcomes: flows.outcomes,
    },
  };
}

interface MarketFlows {
  jobs: number;
  shards: number;
  escrowIn: bigint;
  escrowOut: bigint;
  fees: bigint;
  /** RGL withdrawn from the market (`Withdrawn` events). */
  withdrawn: bigint;
  outcomes: Record<string, number>;
}

/**
 * Every other payment token the market allowlisted (its `PaymentTokenSet` events): its balance in
 * the market equals its escrow plus what the market owes in it (PROTOCOL §20.1).
 */
async function otherTokensHeld(
  client: PublicClient,
  market: Address,
  rgl: Address,
  range: { fromBlock: bigint; toBlock: bigint },
): Promise<{ ok: boolean; text: string }[]> {
  const set = await inSpans(range, (span) =>
    client.getContractEvents({
      address: market,
      abi: jobMarketAbi,
      eventName: "PaymentTokenSet",
      strict: true,
      ...span,
    }),
  );
  const tokens = [...new Set(set.map((l) => getAddress(l.args.token)))].filter((t) => t !== getAddress(rgl));
  const lines: { ok: boolean; text: string }[] = [];
  for (const token of tokens) {
    const at = { blockNumber: range.toBlock, address: market, abi: jobMarketAbi } as const;
    const [held, escrow, owed] = await Promise.all([
      client.readContract({
        blockNumber: range.toBlock,
        address: token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [market],
      }),
      client.readContract({ ...at, functionName: "escrowOf", args: [token] }),
      client.readContract({ ...at, functionName: "owedTotal", args: [token] }),
    ]);
    const ok = held === escrow + owed;
    lines.push({ ok, text: `market holds ${held} of ${token} ${ok ? "=" : "≠"} escrow ${escrow} + owed ${owed}` });
  }
  return lines;
}

/**
 * What the market's own events say moved in RGL: the escrow of every job created in RGL, and for each
 * of their shards' final events what left the market — `paid + fee + refund` for ShardSettled and
 * ShardDeveloperFault (the fee burned), `refund` for ShardFailed, ShardExpired and ShardCancelled (a
 * released gang reports each shard as ShardCancelled; GangReleased repeats their sum and is not counted).
 */
async function marketFlows(
  client: PublicClient,
  market: Address,
  rgl: Address,
  range: { fromBlock: bigint; toBlock: bigint },
): Promise<MarketFlows> {
  const events = await inSpans(range, (span) =>
    client.getContractEvents({ address: market, abi: jobMarketAbi, strict: true, ...span }),
  );
  const rglJobs = new Set<bigint>();
  const flows: MarketFlows = {
    jobs: 0,
    shards: 0,
    escrowIn: 0n,
    escrowOut: 0n,
    fees: 0n,
    withdrawn: 0n,
    outcomes: {},
  };
  const out = (name: string, jobId: bigint, amount: bigint, fee = 0n) => {
    if (!rglJobs.has(jobId)) return;
    flows.shards++;
    flows.outcomes[name] = (flows.outcomes[name] ?? 0) + 1;
    flows.escrowOut += amount;
    flows.fees += fee;
  };
  // Logs come in chain order: a job's JobCreated before any of its shards' outcomes.
  for (const e of events) {
    switch (e.eventName) {
      case "JobCreated":
        if (getAddress(e.args.paymentToken) !== rgl) break;
        rglJobs.add(e.args.jobId);
        flows.jobs++;
        flows.escrowIn += e.args.job.escrow;
        break;
      case "ShardSettled":
      case "ShardDeveloperFault":
        out(e.eventName, e.args.jobId, e.args.paid + e.args.fee + e.args.refund, e.args.fee);
        break;
      case "ShardFailed":
      case "ShardExpired":
      case "ShardCancelled":
        out(e.eventName, e.args.jobId, e.args.refund);
        break;
      case "Withdrawn":
        if (getAddress(e.args.token) === rgl) flows.withdrawn += e.args.amount;
        break;
    }
  }
  return flows;
}
