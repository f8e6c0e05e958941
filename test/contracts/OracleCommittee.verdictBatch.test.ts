// OracleCommittee over verdict batches (docs/PROTOCOL.md §20.4, §20.5): the EIP-712 VerdictBatch is
// verified like a shard attestation, and a signer that says two different things about one shard —
// in two batches, or in a batch and a single attestation — loses its bond.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { BOND, deployStaking, now, signShard, type ShardAttestation } from "../../fixtures/stakingFixture";
import {
  signVerdictBatch,
  verdictProof,
  verdictRoot,
  type ShardVerdict,
  type VerdictBatch,
} from "../../fixtures/verdictBatch";

type F = Awaited<ReturnType<typeof deployStaking>>;

const MARKET = "0x000000000000000000000000000000000000a11c";

function leaf(over: Partial<ShardVerdict> = {}): ShardVerdict {
  return {
    jobId: 7n,
    shard: 3,
    operator: "0x00000000000000000000000000000000000000aa",
    resultRoot: ethers.id("root"),
    verdict: 1,
    units: 100n,
    ...over,
  };
}

/** A batch of `leaves` signed by `signer` alone, and the evidence of leaf `index`. */
async function evidence(f: F, signerIndex: number, leaves: ShardVerdict[], index: number, market = MARKET) {
  const batch: VerdictBatch = {
    market,
    verdictsRoot: verdictRoot(leaves),
    count: leaves.length,
    expiry: (await now()) + 3_600n,
  };
  const [signature] = await signVerdictBatch(await f.committee.getAddress(), [f.oracles[signerIndex]], batch);
  return { batch, signature, verdict: leaves[index], proof: verdictProof(leaves, index) };
}

function others(n: number, seed: string): ShardVerdict[] {
  return Array.from({ length: n }, (_, i) => leaf({ jobId: 100n + BigInt(i), resultRoot: ethers.id(`${seed}${i}`) }));
}

describe("OracleCommittee verdict batches", () => {
  it("test_verifyVerdictBatch_quorumAndLifetime", async () => {
    const f = await loadFixture(deployStaking);
    const leaves = others(3, "q");
    const batch = { market: MARKET, verdictsRoot: verdictRoot(leaves), count: 3, expiry: (await now()) + 3_600n };
    const c = await f.committee.getAddress();
    await f.committee.verifyVerdictBatch(batch, await signVerdictBatch(c, f.oracles.slice(0, 2), batch));
    await expect(
      f.committee.verifyVerdictBatch(batch, await signVerdictBatch(c, f.oracles.slice(0, 1), batch)),
    ).to.be.revertedWithCustomError(f.committee, "CommitteeBelowThreshold");
    const far = { ...batch, expiry: (await now()) + 30n * 86_400n };
    await expect(
      f.committee.verifyVerdictBatch(far, await signVerdictBatch(c, f.oracles.slice(0, 2), far)),
    ).to.be.revertedWithCustomError(f.committee, "CommitteeAttestationTooLong");
  });

  it("test_reportVerdictEquivocation_batchVsBatch_slashesBond", async () => {
    const f = await loadFixture(deployStaking);
    const one = [...others(4, "a"), leaf({ verdict: 1 })];
    const two = [leaf({ verdict: 2, units: 0n }), ...others(2, "b")];
    const a = await evidence(f, 0, one, 4);
    const b = await evidence(f, 0, two, 0);
    const subject = ethers.keccak256(
      ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256", "uint32"], [MARKET, 7n, 3]),
    );
    const supply = await f.token.totalSupply();
    const reporter = f.outsider;
    const tx = f.committee.connect(reporter).reportVerdictEquivocation(a, b);
    await expect(tx).to.emit(f.committee, "EquivocationReported");
    const [event] = await f.committee.queryFilter(f.committee.filters.EquivocationReported(f.oracles[0].address));
    expect(event.args.subject).to.equal(subject);
    expect(event.args.slashed).to.equal(BOND);
    expect(await f.token.totalSupply()).to.equal(supply - (BOND - event.args.reporterReward));
    const info = await f.committee.signerInfo(f.oracles[0].address);
    expect([info.status, info.bond]).to.deep.equal([3n, 0n]);
  });

  it("test_reportMixedEquivocation_attestationVsBatchLeaf_slashesBond", async () => {
    const f = await loadFixture(deployStaking);
    const att: ShardAttestation = { market: MARKET, ...leaf({ verdict: 1 }), expiry: (await now()) + 3_600n };
    const [sigA] = await signShard(f.committee, [f.oracles[1]], att);
    const b = await evidence(f, 1, [...others(2, "m"), leaf({ verdict: 2, units: 0n })], 2);
    await expect(f.committee.connect(f.outsider).reportMixedEquivocation(att, sigA, b)).to.emit(
      f.committee,
      "EquivocationReported",
    );
    expect((await f.committee.signerInfo(f.oracles[1].address)).bond).to.equal(0n);
  });

  it("test_report_revertsWhen_leafNotInBatch", async () => {
    const f = await loadFixture(deployStaking);
    const a = await evidence(f, 0, [leaf(), ...others(2, "x")], 0);
    const b = await evidence(f, 0, [leaf({ verdict: 2 }), ...others(2, "y")], 0);
    // The leaf claimed for b was never in b's batch (the proof is a's).
    const forged = { ...b, proof: a.proof };
    await expect(f.committee.reportVerdictEquivocation(a, forged)).to.be.revertedWithCustomError(
      f.committee,
      "CommitteeLeafNotInBatch",
    );
    const att: ShardAttestation = { market: MARKET, ...leaf(), expiry: (await now()) + 3_600n };
    const [sigA] = await signShard(f.committee, [f.oracles[0]], att);
    await expect(f.committee.reportMixedEquivocation(att, sigA, forged)).to.be.revertedWithCustomError(
      f.committee,
      "CommitteeLeafNotInBatch",
    );
  });

  it("test_report_revertsWhen_sameContentDifferentSubjectOrSigner", async () => {
    const f = await loadFixture(deployStaking);
    const a = await evidence(f, 0, [leaf(), ...others(2, "s")], 0);
    const same = await evidence(f, 0, [...others(3, "t"), leaf()], 3);
    await expect(f.committee.reportVerdictEquivocation(a, same)).to.be.revertedWithCustomError(
      f.committee,
      "CommitteeSameContent",
    );
    const otherShard = await evidence(f, 0, [leaf({ shard: 4, verdict: 2 })], 0);
    await expect(f.committee.reportVerdictEquivocation(a, otherShard)).to.be.revertedWithCustomError(
      f.committee,
      "CommitteeDifferentSubjects",
    );
    const otherMarket = await evidence(f, 0, [leaf({ verdict: 2 })], 0, f.outsider.address);
    await expect(f.committee.reportVerdictEquivocation(a, otherMarket)).to.be.revertedWithCustomError(
      f.committee,
      "CommitteeDifferentSubjects",
    );
    const otherSigner = await evidence(f, 1, [leaf({ verdict: 2 })], 0);
    await expect(f.committee.reportVerdictEquivocation(a, otherSigner)).to.be.revertedWithCustomError(
      f.committee,
      "CommitteeDifferentSigners",
    );
    const att: ShardAttestation = { market: MARKET, ...leaf(), expiry: (await now()) + 3_600n };
    const [sigA] = await signShard(f.committee, [f.oracles[0]], att);
    await expect(f.committee.reportMixedEquivocation(att, sigA, a)).to.be.revertedWithCustomError(
      f.committee,
      "CommitteeSameContent",
    );
    await expect(f.committee.reportMixedEquivocation({ ...att, shard: 9 }, sigA, a)).to.be.revertedWithCustomError(
      f.committee,
      "CommitteeDifferentSubjects",
    );
  });
});
