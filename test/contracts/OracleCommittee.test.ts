import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { OracleCommittee } from "../../typechain-types";
import {
  BOND,
  BOND_UNBONDING,
  CAPACITY_TYPES,
  DAY,
  REPORTER_BPS,
  RGL,
  SHARD_TYPES,
  type CapacityAttestation,
  type ShardAttestation,
  capacityAttestation,
  deployStaking,
  domainOf,
  now,
  signCapacity,
  signShard,
} from "../../fixtures/stakingFixture";

/** A removed signer's bond lock: max(bondUnbondingPeriod, maxAttestationLifetime) = max(1 day, 7 days). */
const LOCK = 7n * DAY;

const SECP256K1_N = BigInt("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");

/** The malleable twin (r, n - s, v ^ 1) of a valid signature: recovers the same key, must be refused. */
function malleate(sig: string): string {
  const s = ethers.Signature.from(sig);
  const highS = SECP256K1_N - BigInt(s.s);
  const v = s.v === 27 ? 28 : 27;
  return ethers.concat([s.r, ethers.toBeHex(highS, 32), ethers.toBeHex(v, 1)]);
}

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

describe("OracleCommittee", () => {
  describe("constructor", () => {
    it("test_constructor_setsParametersAndAdmin", async () => {
      const { committee, token, admin } = await loadFixture(deployStaking);
      expect(await committee.token()).to.equal(await token.getAddress());
      expect(await committee.threshold()).to.equal(2n);
      expect(await committee.bondAmount()).to.equal(BOND);
      expect(await committee.reporterRewardBps()).to.equal(REPORTER_BPS);
      expect(await committee.bondUnbondingPeriod()).to.equal(BOND_UNBONDING);
      expect(await committee.activeSigners()).to.equal(3n);
      expect(await committee.memberCount()).to.equal(3n);
      expect(await committee.MAX_SIGNERS()).to.equal(32n);
      expect(await committee.MAX_REPORTER_REWARD_BPS()).to.equal(1_000n);
      expect(await committee.MIN_BOND_AMOUNT()).to.equal(RGL(1));
      expect(await committee.maxAttestationLifetime()).to.equal(7n * DAY);
      expect(await committee.MIN_ATTESTATION_LIFETIME()).to.equal(3_600n);
      expect(await committee.MAX_ATTESTATION_LIFETIME()).to.equal(90n * DAY);
      expect(await committee.hasRole(await committee.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
    });

    it("test_constructor_revertsWhen_zeroAdminOrToken", async () => {
      const { token, admin } = await loadFixture(deployStaking);
      const f = await ethers.getContractFactory("OracleCommittee");
      await expect(f.deploy(await token.getAddress(), ethers.ZeroAddress, 2, BOND, 0, 0)).to.be.revertedWithCustomError(
        f,
        "CommitteeZeroAddress",
      );
      await expect(f.deploy(ethers.ZeroAddress, admin.address, 2, BOND, 0, 0)).to.be.revertedWithCustomError(
        f,
        "CommitteeZeroAddress",
      );
    });

    it("test_constructor_revertsWhen_thresholdOrBpsInvalid", async () => {
      const { token, admin } = await loadFixture(deployStaking);
      const f = await ethers.getContractFactory("OracleCommittee");
      const t = await token.getAddress();
      await expect(f.deploy(t, admin.address, 0, BOND, 0, 0))
        .to.be.revertedWithCustomError(f, "CommitteeInvalidThreshold")
        .withArgs(0);
      await expect(f.deploy(t, admin.address, 33, BOND, 0, 0))
        .to.be.revertedWithCustomError(f, "CommitteeInvalidThreshold")
        .withArgs(33);
      await expect(f.deploy(t, admin.address, 1, BOND, 1_001, 0))
        .to.be.revertedWithCustomError(f, "CommitteeInvalidBps")
        .withArgs(1_001);
      await expect(f.deploy(t, admin.address, 1, RGL(1) - 1n, 0, 0))
        .to.be.revertedWithCustomError(f, "CommitteeBondTooSmall")
        .withArgs(RGL(1) - 1n, RGL(1));
    });
  });

  describe("EIP-712 hashing", () => {
    it("test_hashShardAttestation_matchesEthersTypedData", async () => {
      const { committee } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      const expected = ethers.TypedDataEncoder.hash(await domainOf(committee), SHARD_TYPES, att);
      expect(await committee.hashShardAttestation(att)).to.equal(expected);
    });

    it("test_hashCapacityAttestation_matchesEthersTypedData", async () => {
      const { committee, op1 } = await loadFixture(deployStaking);
      const att = await capacityAttestation(op1.address);
      const expected = ethers.TypedDataEncoder.hash(await domainOf(committee), CAPACITY_TYPES, att);
      expect(await committee.hashCapacityAttestation(att)).to.equal(expected);
    });

    it("test_eip712Domain_isRigelVersion1", async () => {
      const { committee } = await loadFixture(deployStaking);
      const d = await committee.eip712Domain();
      expect(d.name).to.equal("Rigel");
      expect(d.version).to.equal("1");
      expect(d.verifyingContract).to.equal(await committee.getAddress());
    });
  });

  describe("verifyShardAttestation / verifyCapacityAttestation", () => {
    it("test_verify_acceptsThresholdAndFullQuorum", async () => {
      const { committee, oracles, op1 } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      await committee.verifyShardAttestation(att, await signShard(committee, oracles.slice(0, 2), att));
      await committee.verifyShardAttestation(att, await signShard(committee, oracles, att));
      const cap = await capacityAttestation(op1.address);
      await committee.verifyCapacityAttestation(cap, await signCapacity(committee, oracles.slice(1), cap));
    });

    it("test_verify_revertsWhen_belowThreshold", async () => {
      const { committee, oracles } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      await expect(committee.verifyShardAttestation(att, await signShard(committee, oracles.slice(0, 1), att)))
        .to.be.revertedWithCustomError(committee, "CommitteeBelowThreshold")
        .withArgs(1, 2);
    });

    it("test_verify_revertsWhen_tooManySignatures", async () => {
      const { committee, oracles } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      const [sig] = await signShard(committee, oracles.slice(0, 1), att);
      await expect(committee.verifyShardAttestation(att, new Array(33).fill(sig)))
        .to.be.revertedWithCustomError(committee, "CommitteeTooManySigners")
        .withArgs(32);
    });

    it("test_verify_revertsWhen_unsorted", async () => {
      const { committee, oracles } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      const sigs = await signShard(committee, oracles.slice(0, 2), att);
      await expect(committee.verifyShardAttestation(att, [sigs[1], sigs[0]]))
        .to.be.revertedWithCustomError(committee, "CommitteeSignersNotSorted")
        .withArgs(1, oracles[0].address);
    });

    it("test_verify_revertsWhen_duplicatedSigner", async () => {
      const { committee, oracles } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      const [sig] = await signShard(committee, oracles.slice(0, 1), att);
      await expect(committee.verifyShardAttestation(att, [sig, sig]))
        .to.be.revertedWithCustomError(committee, "CommitteeSignersNotSorted")
        .withArgs(1, oracles[0].address);
    });

    it("test_verify_revertsWhen_malleableSignature", async () => {
      const { committee, oracles } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      const sigs = await signShard(committee, oracles.slice(0, 2), att);
      await expect(committee.verifyShardAttestation(att, [sigs[0], malleate(sigs[1])]))
        .to.be.revertedWithCustomError(committee, "CommitteeInvalidSignature")
        .withArgs(1);
    });

    it("test_verify_revertsWhen_badLengthSignature", async () => {
      const { committee, oracles } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      const sigs = await signShard(committee, oracles.slice(0, 2), att);
      await expect(committee.verifyShardAttestation(att, [ethers.dataSlice(sigs[0], 0, 64), sigs[1]]))
        .to.be.revertedWithCustomError(committee, "CommitteeInvalidSignature")
        .withArgs(0);
    });

    it("test_verify_revertsWhen_signerNotMember", async () => {
      const { committee, oracles, outsider } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      const sigs = await signShard(committee, [oracles[0], outsider], att);
      await expect(committee.verifyShardAttestation(att, sigs))
        .to.be.revertedWithCustomError(committee, "CommitteeSignerNotActive")
        .withArgs(outsider.address);
    });

    it("test_verify_revertsWhen_signerRemoved", async () => {
      const { committee, oracles, admin } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      const sigs = await signShard(committee, oracles.slice(0, 2), att);
      await committee.connect(admin).removeSigner(oracles[1].address);
      await expect(committee.verifyShardAttestation(att, sigs))
        .to.be.revertedWithCustomError(committee, "CommitteeSignerNotActive")
        .withArgs(oracles[1].address);
    });

    it("test_verify_revertsWhen_signerApprovedButNotBonded", async () => {
      const { committee, oracles, admin, spareOracle } = await loadFixture(deployStaking);
      await committee.connect(admin).approveSigner(spareOracle.address);
      const att = await shardAtt(committee);
      const sigs = await signShard(committee, [oracles[0], spareOracle], att);
      await expect(committee.verifyShardAttestation(att, sigs))
        .to.be.revertedWithCustomError(committee, "CommitteeSignerNotActive")
        .withArgs(spareOracle.address);
    });

    it("test_verify_revertsWhen_replayedAcrossChains", async () => {
      const { committee, oracles } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      const sigs = await signShard(committee, oracles.slice(0, 2), att, 1n);
      await expect(committee.verifyShardAttestation(att, sigs)).to.be.revertedWithCustomError(
        committee,
        "CommitteeSignerNotActive",
      );
    });

    it("test_verify_revertsWhen_replayedAcrossContracts", async () => {
      const { committee, oracles, token, admin } = await loadFixture(deployStaking);
      const other = (await ethers.deployContract("OracleCommittee", [
        await token.getAddress(),
        admin.address,
        2,
        BOND,
        REPORTER_BPS,
        BOND_UNBONDING,
      ])) as unknown as OracleCommittee;
      const att = await shardAtt(committee);
      const sigsForOther = await signShard(other, oracles.slice(0, 2), att);
      await expect(committee.verifyShardAttestation(att, sigsForOther)).to.be.revertedWithCustomError(
        committee,
        "CommitteeSignerNotActive",
      );
    });

    it("test_verify_revertsWhen_replayedAcrossSubjects", async () => {
      const { committee, oracles, op1, op2 } = await loadFixture(deployStaking);
      const att = await shardAtt(committee);
      const sigs = await signShard(committee, oracles.slice(0, 2), att);
      await expect(committee.verifyShardAttestation({ ...att, shard: 4 }, sigs)).to.be.revertedWithCustomError(
        committee,
        "CommitteeSignerNotActive",
      );
      await expect(committee.verifyShardAttestation({ ...att, verdict: 2 }, sigs)).to.be.revertedWithCustomError(
        committee,
        "CommitteeSignerNotActive",
      );
      const cap = await capacityAttestation(op1.address);
      const capSigs = await signCapacity(committee, oracles.slice(0, 2), cap);
      await expect(
        committee.verifyCapacityAttestation({ ...cap, operator: op2.address }, capSigs),
      ).to.be.revertedWithCustomError(committee, "CommitteeSignerNotActive");
    });
  });

  describe("approveSigner", () => {
    it("test_approveSigner_addsApprovedMember", async () => {
      const { committee, admin, spareOracle } = await loadFixture(deployStaking);
      await expect(committee.connect(admin).approveSigner(spareOracle.address))
        .to.emit(committee, "SignerApproved")
        .withArgs(spareOracle.address);
      expect((await committee.signerInfo(spareOracle.address)).status).to.equal(1n);
      expect(await committee.memberCount()).to.equal(4n);
      expect(await committee.activeSigners()).to.equal(3n);
      expect(await committee.isActiveSigner(spareOracle.address)).to.equal(false);
    });

    it("test_approveSigner_revertsWhen_notAdmin", async () => {
      const { committee, outsider, spareOracle } = await loadFixture(deployStaking);
      await expect(committee.connect(outsider).approveSigner(spareOracle.address)).to.be.revertedWithCustomError(
        committee,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("test_approveSigner_revertsWhen_zeroOrAlreadyMember", async () => {
      const { committee, admin, oracles } = await loadFixture(deployStaking);
      await expect(committee.connect(admin).approveSigner(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        committee,
        "CommitteeZeroAddress",
      );
      await expect(committee.connect(admin).approveSigner(oracles[0].address))
        .to.be.revertedWithCustomError(committee, "CommitteeWrongSignerStatus")
        .withArgs(oracles[0].address, 2);
    });

    it("test_approveSigner_revertsWhen_removedWithBondStillHeld", async () => {
      const { committee, admin, oracles } = await loadFixture(deployStaking);
      await committee.connect(admin).removeSigner(oracles[0].address);
      await expect(committee.connect(admin).approveSigner(oracles[0].address))
        .to.be.revertedWithCustomError(committee, "CommitteeWrongSignerStatus")
        .withArgs(oracles[0].address, 3);
    });

    it("test_approveSigner_reapprovesRemovedAfterBondWithdrawn", async () => {
      const { committee, admin, oracles } = await loadFixture(deployStaking);
      await committee.connect(admin).removeSigner(oracles[0].address);
      await time.increase(LOCK);
      await committee.connect(oracles[0]).withdrawBond();
      await committee.connect(admin).approveSigner(oracles[0].address);
      expect((await committee.signerInfo(oracles[0].address)).status).to.equal(1n);
    });

    it("test_approveSigner_revertsWhen_full", async () => {
      const { committee, admin } = await loadFixture(deployStaking);
      for (let i = 0; i < 29; i++) await committee.connect(admin).approveSigner(ethers.Wallet.createRandom().address);
      expect(await committee.memberCount()).to.equal(32n);
      await expect(committee.connect(admin).approveSigner(ethers.Wallet.createRandom().address))
        .to.be.revertedWithCustomError(committee, "CommitteeTooManySigners")
        .withArgs(32);
    });
  });

  describe("postBond", () => {
    it("test_postBond_pullsBondAndActivates", async () => {
      const { committee, token, admin, spareOracle } = await loadFixture(deployStaking);
      await committee.connect(admin).approveSigner(spareOracle.address);
      const tx = committee.connect(spareOracle).postBond();
      await expect(tx).to.emit(committee, "SignerBonded").withArgs(spareOracle.address, BOND, 4);
      await expect(tx).to.changeTokenBalances(token, [spareOracle, committee], [-BOND, BOND]);
      const info = await committee.signerInfo(spareOracle.address);
      expect(info.status).to.equal(2n);
      expect(info.bond).to.equal(BOND);
      expect(await committee.activeSigners()).to.equal(4n);
      expect(await committee.memberCount()).to.equal(4n);
    });

    it("test_postBond_revertsWhen_notApproved", async () => {
      const { committee, oracles, spareOracle } = await loadFixture(deployStaking);
      await expect(committee.connect(spareOracle).postBond())
        .to.be.revertedWithCustomError(committee, "CommitteeWrongSignerStatus")
        .withArgs(spareOracle.address, 0);
      await expect(committee.connect(oracles[0]).postBond())
        .to.be.revertedWithCustomError(committee, "CommitteeWrongSignerStatus")
        .withArgs(oracles[0].address, 2);
    });
  });

  describe("removeSigner / withdrawBond", () => {
    it("test_removeSigner_deactivatesAndSchedulesRelease", async () => {
      const { committee, admin, oracles } = await loadFixture(deployStaking);
      const tx = await committee.connect(admin).removeSigner(oracles[0].address);
      const releaseAt = (await now()) + LOCK;
      await expect(tx).to.emit(committee, "SignerRemoved").withArgs(oracles[0].address, releaseAt, 2);
      const info = await committee.signerInfo(oracles[0].address);
      expect(info.status).to.equal(3n);
      expect(info.bond).to.equal(BOND);
      expect(info.bondReleaseAt).to.equal(releaseAt);
      expect(info.removedAt).to.equal(await now());
      expect(await committee.activeSigners()).to.equal(2n);
      expect(await committee.memberCount()).to.equal(2n);
    });

    it("test_removeSigner_removesApprovedOnly", async () => {
      const { committee, admin, spareOracle } = await loadFixture(deployStaking);
      await committee.connect(admin).approveSigner(spareOracle.address);
      await committee.connect(admin).removeSigner(spareOracle.address);
      expect(await committee.activeSigners()).to.equal(3n);
      expect(await committee.memberCount()).to.equal(3n);
    });

    it("test_removeSigner_revertsWhen_notAdminOrNotMember", async () => {
      const { committee, admin, oracles, outsider } = await loadFixture(deployStaking);
      await expect(committee.connect(outsider).removeSigner(oracles[0].address)).to.be.revertedWithCustomError(
        committee,
        "AccessControlUnauthorizedAccount",
      );
      await expect(committee.connect(admin).removeSigner(outsider.address))
        .to.be.revertedWithCustomError(committee, "CommitteeWrongSignerStatus")
        .withArgs(outsider.address, 0);
    });

    it("test_withdrawBond_paysAfterRelease", async () => {
      const { committee, token, admin, oracles } = await loadFixture(deployStaking);
      await committee.connect(admin).removeSigner(oracles[0].address);
      const info = await committee.signerInfo(oracles[0].address);
      await expect(committee.connect(oracles[0]).withdrawBond())
        .to.be.revertedWithCustomError(committee, "CommitteeBondLocked")
        .withArgs(oracles[0].address, info.bondReleaseAt);
      await time.increase(LOCK);
      const tx = committee.connect(oracles[0]).withdrawBond();
      await expect(tx).to.emit(committee, "BondWithdrawn").withArgs(oracles[0].address, BOND);
      await expect(tx).to.changeTokenBalances(token, [oracles[0], committee], [BOND, -BOND]);
      expect((await committee.signerInfo(oracles[0].address)).bond).to.equal(0n);
      await expect(committee.connect(oracles[0]).withdrawBond()).to.be.revertedWithCustomError(
        committee,
        "CommitteeBondLocked",
      );
    });

    it("test_withdrawBond_revertsWhen_stillActive", async () => {
      const { committee, oracles } = await loadFixture(deployStaking);
      await expect(committee.connect(oracles[0]).withdrawBond())
        .to.be.revertedWithCustomError(committee, "CommitteeBondLocked")
        .withArgs(oracles[0].address, 0);
    });
  });

  describe("parameters", () => {
    it("test_setters_updateAndEmit", async () => {
      const { committee, admin } = await loadFixture(deployStaking);
      await expect(committee.connect(admin).setThreshold(3)).to.emit(committee, "ThresholdSet").withArgs(3);
      await expect(committee.connect(admin).setBondAmount(RGL(5)))
        .to.emit(committee, "BondAmountSet")
        .withArgs(RGL(5));
      await expect(committee.connect(admin).setReporterRewardBps(100))
        .to.emit(committee, "ReporterRewardSet")
        .withArgs(100);
      await expect(committee.connect(admin).setBondUnbondingPeriod(60))
        .to.emit(committee, "BondUnbondingPeriodSet")
        .withArgs(60);
      expect(await committee.threshold()).to.equal(3n);
      expect(await committee.bondAmount()).to.equal(RGL(5));
      expect(await committee.reporterRewardBps()).to.equal(100n);
      expect(await committee.bondUnbondingPeriod()).to.equal(60n);
    });

    it("test_setters_revertWhen_notAdminOrInvalid", async () => {
      const { committee, admin, outsider } = await loadFixture(deployStaking);
      for (const call of [
        () => committee.connect(outsider).setThreshold(1),
        () => committee.connect(outsider).setBondAmount(1),
        () => committee.connect(outsider).setReporterRewardBps(1),
        () => committee.connect(outsider).setBondUnbondingPeriod(1),
        () => committee.connect(outsider).setMaxAttestationLifetime(DAY),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(committee, "AccessControlUnauthorizedAccount");
      }
      await expect(committee.connect(admin).setThreshold(0)).to.be.revertedWithCustomError(
        committee,
        "CommitteeInvalidThreshold",
      );
      await expect(committee.connect(admin).setReporterRewardBps(1_001))
        .to.be.revertedWithCustomError(committee, "CommitteeInvalidBps")
        .withArgs(1_001);
      await expect(committee.connect(admin).setBondUnbondingPeriod(90n * DAY + 1n))
        .to.be.revertedWithCustomError(committee, "CommitteeInvalidUnbondingPeriod")
        .withArgs(90n * DAY + 1n);
    });
  });

  describe("reportShardEquivocation", () => {
    async function twoVerdicts() {
      const f = await loadFixture(deployStaking);
      const a = await shardAtt(f.committee);
      const b = { ...a, verdict: 2 };
      const [sigA] = await signShard(f.committee, [f.oracles[0]], a);
      const [sigB] = await signShard(f.committee, [f.oracles[0]], b);
      return { ...f, a, b, sigA, sigB };
    }

    it("test_reportShardEquivocation_slashesBondPaysReporterBurnsRest", async () => {
      const { committee, token, oracles, outsider, a, b, sigA, sigB } = await twoVerdicts();
      const supply = await token.totalSupply();
      const reward = (BOND * BigInt(REPORTER_BPS)) / 10_000n;
      const subject = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256", "uint32"], [a.market, a.jobId, a.shard]),
      );
      const tx = committee.connect(outsider).reportShardEquivocation(a, sigA, b, sigB);
      await expect(tx)
        .to.emit(committee, "EquivocationReported")
        .withArgs(oracles[0].address, outsider.address, subject, BOND, reward);
      await expect(tx).to.changeTokenBalances(token, [outsider, committee], [reward, -BOND]);
      expect(await token.totalSupply()).to.equal(supply - (BOND - reward));
      const info = await committee.signerInfo(oracles[0].address);
      expect(info.status).to.equal(3n);
      expect(info.bond).to.equal(0n);
      expect(await committee.activeSigners()).to.equal(2n);
    });

    it("test_reportShardEquivocation_validAgainstDeveloperFault_slashesBond", async () => {
      // One signer called a shard Valid and DeveloperFault (PROTOCOL §18.2): as much an equivocation
      // as Valid against Invalid, whatever units each names.
      const { committee, token, oracles, outsider } = await loadFixture(deployStaking);
      const a = await shardAtt(committee, { verdict: 1, units: 80n });
      const b = { ...a, verdict: 3, units: 30n };
      const [sigA] = await signShard(committee, [oracles[0]], a);
      const [sigB] = await signShard(committee, [oracles[0]], b);
      const reward = (BOND * BigInt(REPORTER_BPS)) / 10_000n;
      const tx = committee.connect(outsider).reportShardEquivocation(b, sigB, a, sigA);
      await expect(tx).to.emit(committee, "EquivocationReported");
      await expect(tx).to.changeTokenBalances(token, [outsider, committee], [reward, -BOND]);
      expect((await committee.signerInfo(oracles[0].address)).status).to.equal(3n);
      expect(await committee.activeSigners()).to.equal(2n);
    });

    it("test_reportShardEquivocation_slashesRemovedSignerWithinRelease", async () => {
      const { committee, admin, outsider, oracles, a, b, sigA, sigB } = await twoVerdicts();
      await committee.connect(admin).removeSigner(oracles[0].address);
      await committee.connect(outsider).reportShardEquivocation(a, sigA, b, sigB);
      expect((await committee.signerInfo(oracles[0].address)).bond).to.equal(0n);
      expect(await committee.activeSigners()).to.equal(2n);
      await expect(committee.connect(outsider).reportShardEquivocation(a, sigA, b, sigB))
        .to.be.revertedWithCustomError(committee, "CommitteeNothingToSlash")
        .withArgs(oracles[0].address);
    });

    it("test_reportShardEquivocation_zeroRewardBurnsAll", async () => {
      const { committee, token, admin, outsider, a, b, sigA, sigB } = await twoVerdicts();
      await committee.connect(admin).setReporterRewardBps(0);
      const supply = await token.totalSupply();
      await expect(committee.connect(outsider).reportShardEquivocation(a, sigA, b, sigB)).to.changeTokenBalance(
        token,
        outsider,
        0n,
      );
      expect(await token.totalSupply()).to.equal(supply - BOND);
    });

    it("test_reportShardEquivocation_maxRewardBurnsNinetyPercent", async () => {
      const { committee, token, admin, outsider, a, b, sigA, sigB } = await twoVerdicts();
      await committee.connect(admin).setReporterRewardBps(1_000);
      const supply = await token.totalSupply();
      await expect(committee.connect(outsider).reportShardEquivocation(a, sigA, b, sigB)).to.changeTokenBalances(
        token,
        [outsider, committee],
        [BOND / 10n, -BOND],
      );
      expect(await token.totalSupply()).to.equal(supply - (BOND * 9n) / 10n);
    });

    it("test_reportShardEquivocation_revertsWhen_differentSubjects", async () => {
      const { committee, oracles, outsider, a } = await twoVerdicts();
      for (const change of [{ shard: 4 }, { jobId: 8n }, { market: outsider.address }]) {
        const b = { ...a, verdict: 2, ...change };
        const [sigA] = await signShard(committee, [oracles[0]], a);
        const [sigB] = await signShard(committee, [oracles[0]], b);
        await expect(committee.reportShardEquivocation(a, sigA, b, sigB)).to.be.revertedWithCustomError(
          committee,
          "CommitteeDifferentSubjects",
        );
      }
    });

    it("test_reportShardEquivocation_revertsWhen_onlyExpiryDiffers", async () => {
      const { committee, oracles, a } = await twoVerdicts();
      const b = { ...a, expiry: a.expiry + 1n };
      const [sigA] = await signShard(committee, [oracles[0]], a);
      const [sigB] = await signShard(committee, [oracles[0]], b);
      await expect(committee.reportShardEquivocation(a, sigA, b, sigB)).to.be.revertedWithCustomError(
        committee,
        "CommitteeSameContent",
      );
    });

    it("test_reportShardEquivocation_revertsWhen_differentSigners", async () => {
      const { committee, oracles, a, b, sigA } = await twoVerdicts();
      const [sigB1] = await signShard(committee, [oracles[1]], b);
      await expect(committee.reportShardEquivocation(a, sigA, b, sigB1))
        .to.be.revertedWithCustomError(committee, "CommitteeDifferentSigners")
        .withArgs(oracles[0].address, oracles[1].address);
    });

    it("test_reportShardEquivocation_revertsWhen_signerHasNoBond", async () => {
      const { committee, outsider, a, b } = await twoVerdicts();
      const [sigA] = await signShard(committee, [outsider], a);
      const [sigB] = await signShard(committee, [outsider], b);
      await expect(committee.reportShardEquivocation(a, sigA, b, sigB))
        .to.be.revertedWithCustomError(committee, "CommitteeNothingToSlash")
        .withArgs(outsider.address);
    });

    it("test_reportShardEquivocation_revertsWhen_malleableSignature", async () => {
      const { committee, a, b, sigA, sigB } = await twoVerdicts();
      await expect(committee.reportShardEquivocation(a, sigA, b, malleate(sigB)))
        .to.be.revertedWithCustomError(committee, "CommitteeInvalidSignature")
        .withArgs(1);
    });
  });

  describe("invariants", () => {
    it("test_balance_equalsSumOfBondsThroughLifeCycle", async () => {
      const { committee, token, admin, oracles, spareOracle, outsider } = await loadFixture(deployStaking);
      const check = async () => {
        let bonds = 0n;
        for (const s of [...oracles, spareOracle]) bonds += (await committee.signerInfo(s.address)).bond;
        expect(await token.balanceOf(await committee.getAddress())).to.equal(bonds);
      };
      await check();
      await committee.connect(admin).approveSigner(spareOracle.address);
      await committee.connect(spareOracle).postBond();
      await check();
      const a = await shardAtt(committee);
      const b = { ...a, units: 1n };
      const [sigA] = await signShard(committee, [oracles[1]], a);
      const [sigB] = await signShard(committee, [oracles[1]], b);
      await committee.connect(outsider).reportShardEquivocation(a, sigA, b, sigB);
      await check();
      await committee.connect(admin).removeSigner(oracles[0].address);
      await time.increase(LOCK);
      await committee.connect(oracles[0]).withdrawBond();
      await check();
    });
  });

  describe("reportCapacityEquivocation", () => {
    it("test_reportCapacityEquivocation_slashesSigner", async () => {
      const { committee, oracles, op1, outsider } = await loadFixture(deployStaking);
      const a: CapacityAttestation = await capacityAttestation(op1.address);
      const b = { ...a, opsPerSec: a.opsPerSec * 2n };
      const [sigA] = await signCapacity(committee, [oracles[2]], a);
      const [sigB] = await signCapacity(committee, [oracles[2]], b);
      const reward = (BOND * BigInt(REPORTER_BPS)) / 10_000n;
      await expect(committee.connect(outsider).reportCapacityEquivocation(a, sigA, b, sigB))
        .to.emit(committee, "EquivocationReported")
        .withArgs(oracles[2].address, outsider.address, a.challengeId, BOND, reward);
      expect(await committee.isActiveSigner(oracles[2].address)).to.equal(false);
    });

    it("test_reportCapacityEquivocation_revertsWhen_differentChallengeOrSameContent", async () => {
      const { committee, oracles, op1 } = await loadFixture(deployStaking);
      const a = await capacityAttestation(op1.address);
      const other = { ...a, challengeId: ethers.id("other"), vramMiB: 1 };
      const renewed = { ...a, validUntil: a.validUntil + 10n };
      const [sigA] = await signCapacity(committee, [oracles[0]], a);
      const [sigO] = await signCapacity(committee, [oracles[0]], other);
      const [sigR] = await signCapacity(committee, [oracles[0]], renewed);
      await expect(committee.reportCapacityEquivocation(a, sigA, other, sigO)).to.be.revertedWithCustomError(
        committee,
        "CommitteeDifferentSubjects",
      );
      await expect(committee.reportCapacityEquivocation(a, sigA, renewed, sigR)).to.be.revertedWithCustomError(
        committee,
        "CommitteeSameContent",
      );
    });
  });
});
