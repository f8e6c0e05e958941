// Regression tests for the committee attacks of issue 19 (PROTOCOL §7.1-§7.3), each replayed against
// the rule that allowed it (the numbers of the old rule are in the comment), and the bounds that
// close them: the attestation lifetime, the bond minimum and the threshold against the members.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyUint } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { OracleCommittee } from "../../typechain-types";
import {
  BOND,
  DAY,
  RGL,
  type ShardAttestation,
  capacityAttestation,
  deployStaking,
  now,
  signCapacity,
  signShard,
} from "../../fixtures/stakingFixture";

/** The default maxAttestationLifetime: the oracles' capacity validity. */
const LIFETIME = 7n * DAY;

async function shardAtt(
  committee: OracleCommittee,
  overrides: Partial<ShardAttestation> = {},
): Promise<ShardAttestation> {
  return {
    market: await committee.getAddress(),
    jobId: 7n,
    shard: 3,
    operator: ethers.Wallet.createRandom().address,
    resultRoot: ethers.id("root"),
    verdict: 1,
    units: 100n,
    expiry: (await now()) + 3600n,
    ...overrides,
  };
}

/** One signer's signatures over two verdicts on one shard. */
async function equivocation(f: Awaited<ReturnType<typeof deployStaking>>, signerIndex = 0) {
  const a = await shardAtt(f.committee);
  const b = { ...a, verdict: 2 };
  const signer = f.oracles[signerIndex];
  const [sigA] = await signShard(f.committee, [signer], a);
  const [sigB] = await signShard(f.committee, [signer], b);
  return { a, b, sigA, sigB, signer };
}

describe("OracleCommittee attacks (issue 19)", () => {
  describe("self-report", () => {
    it("test_selfReport_paysNothing_burnsWholeBond", async () => {
      // Old rule: the reporter was paid reporterRewardBps of the bond whoever it was. With the old
      // dev/test value of 5000 bps and a 1000 RGL bond, a signer that equivocated and reported
      // itself got 500 RGL back: equivocation cost half the bond. Now a self-report pays nothing.
      const f = await loadFixture(deployStaking);
      const { a, b, sigA, sigB, signer } = await equivocation(f);
      const supply = await f.token.totalSupply();
      const tx = f.committee.connect(signer).reportShardEquivocation(a, sigA, b, sigB);
      const subject = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256", "uint32"], [a.market, a.jobId, a.shard]),
      );
      await expect(tx)
        .to.emit(f.committee, "EquivocationReported")
        .withArgs(signer.address, signer.address, subject, BOND, 0n);
      await expect(tx).to.changeTokenBalances(f.token, [signer, f.committee], [0n, -BOND]);
      expect(await f.token.totalSupply()).to.equal(supply - BOND);
      expect((await f.committee.signerInfo(signer.address)).bond).to.equal(0n);
    });

    it("test_selfReport_capacity_paysNothing", async () => {
      const f = await loadFixture(deployStaking);
      const a = await capacityAttestation(f.op1.address);
      const b = { ...a, vramMiB: 1 };
      const signer = f.oracles[1];
      const [sigA] = await signCapacity(f.committee, [signer], a);
      const [sigB] = await signCapacity(f.committee, [signer], b);
      await expect(f.committee.connect(signer).reportCapacityEquivocation(a, sigA, b, sigB)).to.changeTokenBalances(
        f.token,
        [signer, f.committee],
        [0n, -BOND],
      );
    });

    it("test_sockPuppetReport_recoversAtMostTenPercent", async () => {
      // The signer cannot be told apart from a fresh address it controls: the reporter share is
      // bounded instead. Old rule: up to 10000 bps (the whole bond back); now at most 1000 bps, so
      // equivocating and reporting through a puppet still loses >= 900 of a 1000 RGL bond.
      const f = await loadFixture(deployStaking);
      await expect(f.committee.connect(f.admin).setReporterRewardBps(1_001))
        .to.be.revertedWithCustomError(f.committee, "CommitteeInvalidBps")
        .withArgs(1_001);
      await f.committee.connect(f.admin).setReporterRewardBps(1_000);
      const { a, b, sigA, sigB } = await equivocation(f);
      const puppet = f.outsider;
      await expect(f.committee.connect(puppet).reportShardEquivocation(a, sigA, b, sigB)).to.changeTokenBalances(
        f.token,
        [puppet, f.committee],
        [RGL(100), -BOND],
      );
    });
  });

  describe("removed signer", () => {
    it("test_removedSigner_cannotLeaveBeforeItsAttestationsExpire", async () => {
      // Old rule: the bond was released bondUnbondingPeriod (1 day here, 120 s on the dev chain)
      // after removal, while capacity attestations live 7 days. A signer that equivocated on a
      // capacity challenge, was removed, and withdrew its 1000 RGL after 1 day could no longer be
      // punished on day 3 (CommitteeNothingToSlash). Now the bond stays locked, and slashable, for
      // max(bondUnbondingPeriod, maxAttestationLifetime) = 7 days.
      const f = await loadFixture(deployStaking);
      const a = await capacityAttestation(f.op1.address, { validUntil: (await now()) + LIFETIME });
      const b = { ...a, opsPerSec: a.opsPerSec * 2n };
      const signer = f.oracles[0];
      const [sigA] = await signCapacity(f.committee, [signer], a);
      const [sigB] = await signCapacity(f.committee, [signer], b);
      await f.committee.connect(f.admin).removeSigner(signer.address);
      const removedAt = await now();
      await time.increase(DAY);
      await expect(f.committee.connect(signer).withdrawBond())
        .to.be.revertedWithCustomError(f.committee, "CommitteeBondLocked")
        .withArgs(signer.address, removedAt + LIFETIME);
      await time.increase(DAY);
      await expect(f.committee.connect(f.outsider).reportCapacityEquivocation(a, sigA, b, sigB)).to.changeTokenBalances(
        f.token,
        [f.outsider, f.committee],
        [RGL(100), -BOND],
      );
      expect((await f.committee.signerInfo(signer.address)).bond).to.equal(0n);
    });

    it("test_removedSigner_bondLockFollowsLongerUnbondingPeriod", async () => {
      const f = await loadFixture(deployStaking);
      await f.committee.connect(f.admin).setBondUnbondingPeriod(10n * DAY);
      await f.committee.connect(f.admin).removeSigner(f.oracles[0].address);
      expect((await f.committee.signerInfo(f.oracles[0].address)).bondReleaseAt).to.equal((await now()) + 10n * DAY);
    });

    it("test_reapprovedSigner_doesNotReviveOldAttestations", async () => {
      // Old rule: a removed signer could be approved again as soon as its bond was out (1 day), and
      // every attestation it had signed before came back to life: a 2-of-3 capacity attestation
      // valid 7 days, signed by it and one other just before its removal, verified again on day 1
      // after re-approval. Now re-approval waits removedAt + maxAttestationLifetime, when every
      // attestation it signed while a member (expiry at most maxAttestationLifetime after signing)
      // has expired.
      const f = await loadFixture(deployStaking);
      const signer = f.oracles[0];
      const att = await capacityAttestation(f.op1.address, { validUntil: (await now()) + LIFETIME });
      const sigs = await signCapacity(f.committee, [signer, f.oracles[1]], att);
      await f.committee.verifyCapacityAttestation(att, sigs);
      await f.committee.connect(f.admin).removeSigner(signer.address);
      const removedAt = await now();
      await time.increase(DAY);
      await expect(f.committee.connect(f.admin).approveSigner(signer.address))
        .to.be.revertedWithCustomError(f.committee, "CommitteeWrongSignerStatus")
        .withArgs(signer.address, 3);
      await time.increaseTo(removedAt + LIFETIME - 2n); // the next call runs one second later
      await expect(f.committee.connect(signer).withdrawBond()).to.be.revertedWithCustomError(
        f.committee,
        "CommitteeBondLocked",
      );
      await time.increaseTo(removedAt + LIFETIME);
      await f.committee.connect(signer).withdrawBond();
      await f.committee.connect(f.admin).approveSigner(signer.address);
      await f.committee.connect(signer).postBond();
      // The signature counts again, but the attestation it was on has expired: no caller accepts it.
      expect(await now()).to.be.greaterThan(att.validUntil);
    });

    it("test_approveSigner_revertsWhen_removedWithoutBondCoolingDown", async () => {
      // A signer removed while only approved (no bond) or slashed to zero waits as well.
      const f = await loadFixture(deployStaking);
      const { a, b, sigA, sigB, signer } = await equivocation(f, 2);
      await f.committee.connect(f.outsider).reportShardEquivocation(a, sigA, b, sigB);
      const removedAt = await now();
      await expect(f.committee.connect(f.admin).approveSigner(signer.address))
        .to.be.revertedWithCustomError(f.committee, "CommitteeSignerCoolingDown")
        .withArgs(signer.address, removedAt + LIFETIME);
      await time.increaseTo(removedAt + LIFETIME);
      await expect(f.committee.connect(f.admin).approveSigner(signer.address))
        .to.emit(f.committee, "SignerApproved")
        .withArgs(signer.address);
    });
  });

  describe("attestation lifetime", () => {
    it("test_verify_revertsWhen_expiryBeyondLifetime", async () => {
      const f = await loadFixture(deployStaking);
      // An hour past the bound: the view runs at the latest block's time or a little later.
      const expiry = (await now()) + LIFETIME + 3_600n;
      const far = await shardAtt(f.committee, { expiry });
      await expect(f.committee.verifyShardAttestation(far, await signShard(f.committee, f.oracles, far)))
        .to.be.revertedWithCustomError(f.committee, "CommitteeAttestationTooLong")
        .withArgs(expiry, anyUint);
      const cap = await capacityAttestation(f.op1.address, { validUntil: expiry });
      await expect(f.committee.verifyCapacityAttestation(cap, await signCapacity(f.committee, f.oracles, cap)))
        .to.be.revertedWithCustomError(f.committee, "CommitteeAttestationTooLong")
        .withArgs(expiry, anyUint);
    });

    it("test_verify_acceptsExpiryAtLifetime", async () => {
      const f = await loadFixture(deployStaking);
      const cap = await capacityAttestation(f.op1.address, { validUntil: (await now()) + LIFETIME });
      await f.committee.verifyCapacityAttestation(cap, await signCapacity(f.committee, f.oracles, cap));
      const att = await shardAtt(f.committee, { expiry: (await now()) + LIFETIME });
      await f.committee.verifyShardAttestation(att, await signShard(f.committee, f.oracles, att));
    });

    it("test_setMaxAttestationLifetime_updatesBoundAndEmits", async () => {
      const f = await loadFixture(deployStaking);
      await expect(f.committee.connect(f.admin).setMaxAttestationLifetime(DAY))
        .to.emit(f.committee, "MaxAttestationLifetimeSet")
        .withArgs(DAY);
      expect(await f.committee.maxAttestationLifetime()).to.equal(DAY);
      const cap = await capacityAttestation(f.op1.address, { validUntil: (await now()) + 2n * DAY });
      await expect(
        f.committee.verifyCapacityAttestation(cap, await signCapacity(f.committee, f.oracles, cap)),
      ).to.be.revertedWithCustomError(f.committee, "CommitteeAttestationTooLong");
    });

    it("test_setMaxAttestationLifetime_revertsWhen_outOfBounds", async () => {
      const f = await loadFixture(deployStaking);
      for (const bad of [3_599n, 90n * DAY + 1n]) {
        await expect(f.committee.connect(f.admin).setMaxAttestationLifetime(bad))
          .to.be.revertedWithCustomError(f.committee, "CommitteeInvalidAttestationLifetime")
          .withArgs(bad);
      }
      await f.committee.connect(f.admin).setMaxAttestationLifetime(3_600n);
      await f.committee.connect(f.admin).setMaxAttestationLifetime(90n * DAY);
    });
  });

  describe("bounds", () => {
    it("test_bondAmount_revertsWhen_zeroOrBelowMinimum", async () => {
      // Old rule: bondAmount could be 0, so a signer could join, equivocate and lose nothing.
      const f = await loadFixture(deployStaking);
      const factory = await ethers.getContractFactory("OracleCommittee");
      await expect(factory.deploy(await f.token.getAddress(), f.admin.address, 2, 0, 0, 0))
        .to.be.revertedWithCustomError(factory, "CommitteeBondTooSmall")
        .withArgs(0, RGL(1));
      await expect(f.committee.connect(f.admin).setBondAmount(0))
        .to.be.revertedWithCustomError(f.committee, "CommitteeBondTooSmall")
        .withArgs(0, RGL(1));
      await f.committee.connect(f.admin).setBondAmount(RGL(1));
      expect(await f.committee.bondAmount()).to.equal(RGL(1));
    });

    it("test_setThreshold_revertsWhen_aboveMembers", async () => {
      // Old rule: a threshold of 4 with 3 members was accepted, and nothing verified any more.
      const f = await loadFixture(deployStaking);
      await expect(f.committee.connect(f.admin).setThreshold(4))
        .to.be.revertedWithCustomError(f.committee, "CommitteeThresholdAboveMembers")
        .withArgs(4, 3);
      await f.committee.connect(f.admin).approveSigner(f.spareOracle.address);
      await expect(f.committee.connect(f.admin).setThreshold(4)).to.emit(f.committee, "ThresholdSet").withArgs(4);
    });

    it("test_removeBelowThreshold_verificationFailsClosed_untilThresholdLowered", async () => {
      // PROTOCOL §7.3: a removal is never refused (a compromised key must go, and an equivocation
      // report removes its signer); with fewer active signers than the threshold nothing verifies,
      // which pays nobody and slashes nobody, until governance lowers the threshold or adds members.
      const f = await loadFixture(deployStaking);
      await f.committee.connect(f.admin).setThreshold(3);
      await f.committee.connect(f.admin).removeSigner(f.oracles[2].address);
      expect(await f.committee.activeSigners()).to.equal(2n);
      expect(await f.committee.threshold()).to.equal(3n);
      const att = await shardAtt(f.committee);
      const sigs = await signShard(f.committee, f.oracles.slice(0, 2), att);
      await expect(f.committee.verifyShardAttestation(att, sigs))
        .to.be.revertedWithCustomError(f.committee, "CommitteeBelowThreshold")
        .withArgs(2, 3);
      await expect(f.committee.connect(f.admin).setThreshold(3))
        .to.be.revertedWithCustomError(f.committee, "CommitteeThresholdAboveMembers")
        .withArgs(3, 2);
      await f.committee.connect(f.admin).setThreshold(2);
      await f.committee.verifyShardAttestation(att, sigs);
    });
  });
});
