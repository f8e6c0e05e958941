import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { CapacityListenerMock } from "../../typechain-types";
import { capacityAttestation, deployWithOperator, signCapacity } from "../../fixtures/stakingFixture";

async function withListener() {
  const f = await deployWithOperator();
  const listener = (await ethers.deployContract("CapacityListenerMock")) as unknown as CapacityListenerMock;
  await f.staking.connect(f.admin).setCapacityListener(await listener.getAddress());
  return { ...f, listener };
}

describe("OperatorStaking: capacity", () => {
  describe("recordCapacity", () => {
    it("test_recordCapacity_writesRecordWithoutListener", async () => {
      const { staking, committee, oracles, op1, outsider } = await loadFixture(deployWithOperator);
      const att = await capacityAttestation(op1.address);
      const sigs = await signCapacity(committee, oracles.slice(0, 2), att);
      await expect(staking.connect(outsider).recordCapacity(att, sigs))
        .to.emit(staking, "CapacityRecorded")
        .withArgs(op1.address, att.challengeId, att.opsPerSec, att.vramMiB, att.gpuModel, att.validUntil);
      const cap = await staking.capacityOf(op1.address);
      expect(cap.opsPerSec).to.equal(att.opsPerSec);
      expect(cap.vramMiB).to.equal(BigInt(att.vramMiB));
      expect(cap.gpuModel).to.equal(att.gpuModel);
      expect(cap.validUntil).to.equal(att.validUntil);
      expect(await staking.isChallengeUsed(att.challengeId)).to.equal(true);
    });

    it("test_recordCapacity_tellsListener", async () => {
      const { staking, committee, oracles, op1, listener } = await loadFixture(withListener);
      const att = await capacityAttestation(op1.address);
      const sigs = await signCapacity(committee, oracles, att);
      await expect(staking.recordCapacity(att, sigs))
        .to.emit(listener, "Heard")
        .withArgs(op1.address, att.challengeId, att.opsPerSec, att.validUntil);
      expect(await listener.calls()).to.equal(1n);
    });

    it("test_recordCapacity_revertsWhen_listenerReverts", async () => {
      const { staking, committee, oracles, op1, listener } = await loadFixture(withListener);
      await listener.setRejecting(true);
      const att = await capacityAttestation(op1.address);
      const sigs = await signCapacity(committee, oracles, att);
      await expect(staking.recordCapacity(att, sigs)).to.be.revertedWithCustomError(listener, "ListenerMockRejected");
      expect(await staking.isChallengeUsed(att.challengeId)).to.equal(false);
    });

    it("test_recordCapacity_revertsWhen_challengeReused", async () => {
      const { staking, committee, oracles, op1 } = await loadFixture(deployWithOperator);
      const att = await capacityAttestation(op1.address);
      const sigs = await signCapacity(committee, oracles, att);
      await staking.recordCapacity(att, sigs);
      await expect(staking.recordCapacity(att, sigs))
        .to.be.revertedWithCustomError(staking, "StakingChallengeUsed")
        .withArgs(att.challengeId);
    });

    it("test_recordCapacity_revertsWhen_expired", async () => {
      const { staking, committee, oracles, op1 } = await loadFixture(deployWithOperator);
      const att = await capacityAttestation(op1.address);
      const sigs = await signCapacity(committee, oracles, att);
      await time.increaseTo(att.validUntil);
      await expect(staking.recordCapacity(att, sigs))
        .to.be.revertedWithCustomError(staking, "StakingCapacityExpired")
        .withArgs(att.validUntil);
    });

    it("test_recordCapacity_revertsWhen_operatorNotRegistered", async () => {
      const { staking, committee, oracles, op2 } = await loadFixture(deployWithOperator);
      const att = await capacityAttestation(op2.address);
      const sigs = await signCapacity(committee, oracles, att);
      await expect(staking.recordCapacity(att, sigs))
        .to.be.revertedWithCustomError(staking, "StakingNotRegistered")
        .withArgs(op2.address);
    });

    it("test_recordCapacity_revertsWhen_quorumInvalid", async () => {
      const { staking, committee, oracles, op1 } = await loadFixture(deployWithOperator);
      const att = await capacityAttestation(op1.address);
      const sigs = await signCapacity(committee, oracles.slice(0, 1), att);
      await expect(staking.recordCapacity(att, sigs))
        .to.be.revertedWithCustomError(committee, "CommitteeBelowThreshold")
        .withArgs(1, 2);
      const forged = await signCapacity(committee, oracles, { ...att, opsPerSec: 1n });
      await expect(staking.recordCapacity(att, forged)).to.be.revertedWithCustomError(
        committee,
        "CommitteeSignerNotActive",
      );
    });
  });
});
