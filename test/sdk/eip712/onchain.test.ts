// The sdk's EIP-712 helpers against the deployed OracleCommittee: same digests, and a quorum the
// sdk signs and orders is accepted on-chain.
import { expect } from "chai";
import hre from "hardhat";
import { keccak256, toHex, type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hashCapacityAttestation, signCapacityAttestation } from "../../../sdk/eip712/capacityAttestation";
import { hashShardAttestation, signShardAttestation } from "../../../sdk/eip712/shardAttestation";
import { sortSignaturesBySigner } from "../../../sdk/eip712/sortSignatures";
import { rigelDomain, Verdict, type CapacityAttestation, type ShardAttestation } from "../../../sdk/eip712/types";
import { deployStaking } from "../../../fixtures/stakingFixture";

const MNEMONIC = "test test test test test test test test test test test junk";

describe("sdk/eip712 against the OracleCommittee contract", () => {
  it("computes the contract's digests and signs a quorum the contract accepts", async () => {
    const f = await deployStaking();
    const committee = (await f.committee.getAddress()) as Address;
    const chainId = (await hre.ethers.provider.getNetwork()).chainId;
    const domain = rigelDomain(chainId, committee);
    // The fixture's committee members are Hardhat accounts 10..12 (sorted by address).
    const members = [10, 11, 12].map((i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }));
    const onChain = new Set(f.oracles.map((o) => o.address.toLowerCase()));
    for (const m of members) expect(onChain.has(m.address.toLowerCase())).to.equal(true);

    // Within the committee's maxAttestationLifetime (7 days) of the chain's time (PROTOCOL §7.2).
    const expiry = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp) + 3_600n;
    const shard: ShardAttestation = {
      market: f.market.address as Address,
      jobId: 9n,
      shard: 3,
      operator: f.op1.address as Address,
      resultRoot: keccak256("0x1234"),
      verdict: Verdict.Valid,
      units: 77n,
      expiry,
    };
    expect(hashShardAttestation(domain, shard)).to.equal(await f.committee.hashShardAttestation(shard));
    const shardSigs = await Promise.all(
      members
        .slice(0, 2)
        .map(async (a) => ({ signer: a.address, signature: await signShardAttestation(a, domain, shard) })),
    );
    // Given in reverse order: the sdk orders them as the contract requires.
    const ordered: Hex[] = sortSignaturesBySigner(shardSigs.reverse());
    await f.committee.verifyShardAttestation(shard, ordered);
    await expect(f.committee.verifyShardAttestation(shard, ordered.slice(0, 1))).to.be.revertedWithCustomError(
      f.committee,
      "CommitteeBelowThreshold",
    );

    const capacity: CapacityAttestation = {
      operator: f.op1.address as Address,
      challengeId: keccak256("0x99"),
      opsPerSec: 5_000_000_000n,
      vramMiB: 24576,
      gpuModel: toHex("cpu", { size: 32 }),
      validUntil: expiry,
    };
    expect(hashCapacityAttestation(domain, capacity)).to.equal(await f.committee.hashCapacityAttestation(capacity));
    const capSigs = await Promise.all(
      members.map(async (a) => ({ signer: a.address, signature: await signCapacityAttestation(a, domain, capacity) })),
    );
    await f.committee.verifyCapacityAttestation(capacity, sortSignaturesBySigner(capSigs));
  });
});
