// Conservation from indexed events (PROTOCOL §21.5): the indexer's totals, rebuilt only from the
// events it indexed, equal what the contracts report at the block it has indexed up to. The same
// definitions as scripts/lib/conservation.ts (which rebuilds them from raw logs):
//   supply    indexed mints − burns = totalSupply; Σ indexed balances = supply
//   stake     staking's indexed balance = Σ operatorInfo().totalAtStake of the indexed operators
//   escrow    market's indexed balance = escrowOf(RGL) + owedTotal(RGL);
//             Σ escrow of RGL jobs − Σ their outcomes (paid + fee + refund) = escrowOf(RGL);
//             Σ outcomes − burned fees − withdrawn = owedTotal(RGL)
//   bonds     committee's indexed balance = Σ indexed bonds = Σ signerInfo().bond
//   rewards   distributor's balanceOf = Σ settled operator parts (commission + self share)
//             − Σ operator claims − Σ forfeited vesting
import { getAddress, type Address, type PublicClient } from "viem";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import type { Deployment } from "../../sdk/contracts/parseDeployment";
import { indexedBlock } from "./startIndexer";

export interface IndexedConservationReport {
  ok: boolean;
  /** The block the indexer had indexed; every contract read is at it. */
  block: bigint;
  facts: string[];
  problems: string[];
}

interface ConservationTotals {
  supply: { supply: string; minted: string; burned: string; transfers: number };
  balances: { account: Address; balance: string }[];
  holders: { total: string; count: number };
  jobs: { count: number; escrow: string; paid: string; fees: string; refunds: string };
  feesBurned: string;
  withdrawn: string;
  bonds: { total: string; count: number };
  operators: Address[];
  signers: Address[];
  rewards: { operatorParts: string; claimed: string; vesting: string; forfeited: string };
}

/** Reads the indexer's totals and checks them against the contracts at its indexed block. */
export async function checkIndexedConservation(
  indexerUrl: string,
  client: PublicClient,
  deployment: Deployment,
): Promise<IndexedConservationReport> {
  const c = deployment.contracts;
  const rgl = c.ComputeToken;
  const block = BigInt(await indexedBlock(indexerUrl));
  const query = new URLSearchParams({
    token: rgl,
    accounts: [c.OperatorStaking, c.JobMarket, c.OracleCommittee].join(","),
  });
  const res = await fetch(`${indexerUrl}/v1/conservation?${query}`);
  if (!res.ok) throw new Error(`${indexerUrl}/v1/conservation answered HTTP ${res.status}`);
  const t = (await res.json()) as ConservationTotals;
  const held = (who: Address) =>
    BigInt(t.balances.find((b) => getAddress(b.account) === getAddress(who))?.balance ?? 0);
  const at = { blockNumber: block } as const;

  const facts: string[] = [];
  const problems: string[] = [];
  const check = (ok: boolean, text: string) => (ok ? facts.push(text) : problems.push(text));

  const supply = await client.readContract({ ...at, address: rgl, abi: computeTokenAbi, functionName: "totalSupply" });
  const indexedSupply = BigInt(t.supply.minted) - BigInt(t.supply.burned);
  check(
    indexedSupply === supply,
    `supply: indexed mints − burns ${indexedSupply} ${indexedSupply === supply ? "=" : "≠"} totalSupply ${supply}`,
  );
  check(
    BigInt(t.holders.total) === supply,
    `supply: Σ indexed balances of ${t.holders.count} holders ${t.holders.total} ${BigInt(t.holders.total) === supply ? "=" : "≠"} totalSupply ${supply}`,
  );

  let atStake = 0n;
  for (const operator of t.operators) {
    const info = await client.readContract({
      ...at,
      address: c.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "operatorInfo",
      args: [getAddress(operator)],
    });
    atStake += info.totalAtStake;
  }
  const stakingHeld = held(c.OperatorStaking);
  check(
    stakingHeld === atStake,
    `stake: staking's indexed balance ${stakingHeld} ${stakingHeld === atStake ? "=" : "≠"} Σ at stake of ${t.operators.length} operators ${atStake}`,
  );

  const [escrow, owed] = await Promise.all([
    client.readContract({ ...at, address: c.JobMarket, abi: jobMarketAbi, functionName: "escrowOf", args: [rgl] }),
    client.readContract({ ...at, address: c.JobMarket, abi: jobMarketAbi, functionName: "owedTotal", args: [rgl] }),
  ]);
  const marketHeld = held(c.JobMarket);
  check(
    marketHeld === escrow + owed,
    `escrow: market's indexed balance ${marketHeld} ${marketHeld === escrow + owed ? "=" : "≠"} escrowOf ${escrow} + owedTotal ${owed}`,
  );
  const outcomes = BigInt(t.jobs.paid) + BigInt(t.jobs.fees) + BigInt(t.jobs.refunds);
  const remaining = BigInt(t.jobs.escrow) - outcomes;
  check(
    remaining === escrow,
    `escrow: Σ escrow of ${t.jobs.count} RGL jobs ${t.jobs.escrow} − Σ outcomes ${outcomes} ${remaining === escrow ? "=" : "≠"} escrowOf ${escrow}`,
  );
  const owedIndexed = outcomes - BigInt(t.feesBurned) - BigInt(t.withdrawn);
  check(
    owedIndexed === owed,
    `escrow: Σ outcomes ${outcomes} − fees burned ${t.feesBurned} − withdrawn ${t.withdrawn} ${owedIndexed === owed ? "=" : "≠"} owedTotal ${owed}`,
  );

  const bondsIndexed = BigInt(t.bonds.total);
  const committeeHeld = held(c.OracleCommittee);
  check(
    committeeHeld === bondsIndexed,
    `bonds: committee's indexed balance ${committeeHeld} ${committeeHeld === bondsIndexed ? "=" : "≠"} Σ indexed bonds of ${t.bonds.count} signers ${bondsIndexed}`,
  );
  let bonds = 0n;
  for (const signer of t.signers) {
    const info = await client.readContract({
      ...at,
      address: c.OracleCommittee,
      abi: oracleCommitteeAbi,
      functionName: "signerInfo",
      args: [getAddress(signer)],
    });
    bonds += info.bond;
  }
  check(
    bonds === bondsIndexed,
    `bonds: Σ signerInfo().bond ${bonds} ${bonds === bondsIndexed ? "=" : "≠"} Σ indexed bonds ${bondsIndexed}`,
  );
  // The distributor mints each settled reward and passes the pool share on: it keeps the operator
  // parts (vesting or claimable) until claimed, or burns them when a slash forfeits the vesting.
  const distributorHeld = await client.readContract({
    ...at,
    address: rgl,
    abi: computeTokenAbi,
    functionName: "balanceOf",
    args: [c.RewardsDistributor],
  });
  const r = t.rewards;
  const kept = BigInt(r.operatorParts) - BigInt(r.claimed) - BigInt(r.forfeited);
  check(
    distributorHeld === kept,
    `rewards: distributor's balanceOf ${distributorHeld} ${distributorHeld === kept ? "=" : "≠"} Σ operator parts ${r.operatorParts} − claimed ${r.claimed} − forfeited ${r.forfeited}`,
  );
  return { ok: problems.length === 0, block, facts, problems };
}
