// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IComputeToken} from "./interfaces/IComputeToken.sol";
import {IOracleCommittee} from "./interfaces/IOracleCommittee.sol";
import {IBondedOracleCommittee} from "./interfaces/IBondedOracleCommittee.sol";
import {VerdictTree} from "./libraries/VerdictTree.sol";

/// @title OracleCommittee
/// @notice The t-of-n oracle committee: bonded signers appointed by governance, EIP-712
/// verification of shard and capacity attestations, and on-chain equivocation reports.
contract OracleCommittee is IBondedOracleCommittee, EIP712, AccessControl, ReentrancyGuard {
    using SafeERC20 for IComputeToken;

    /// @inheritdoc IBondedOracleCommittee
    uint256 public constant MAX_SIGNERS = 32;

    /// @inheritdoc IBondedOracleCommittee
    uint16 public constant MAX_REPORTER_REWARD_BPS = 1_000;

    /// @inheritdoc IBondedOracleCommittee
    uint256 public constant MIN_BOND_AMOUNT = 1e18;

    /// @inheritdoc IBondedOracleCommittee
    uint64 public constant MIN_ATTESTATION_LIFETIME = 1 hours;

    /// @inheritdoc IBondedOracleCommittee
    uint64 public constant MAX_ATTESTATION_LIFETIME = 90 days;

    /// @dev The `maxAttestationLifetime` a committee starts with: the oracles' capacity validity.
    uint64 private constant _DEFAULT_ATTESTATION_LIFETIME = 7 days;

    uint256 private constant _BPS = 10_000;

    bytes32 private constant _SHARD_TYPEHASH = keccak256(
        "ShardAttestation(address market,uint256 jobId,uint32 shard,address operator,bytes32 resultRoot,"
        "uint8 verdict,uint64 units,uint64 expiry)"
    );

    bytes32 private constant _CAPACITY_TYPEHASH = keccak256(
        "CapacityAttestation(address operator,bytes32 challengeId,uint64 opsPerSec,uint32 vramMiB,"
        "bytes32 gpuModel,uint64 validUntil)"
    );

    bytes32 private constant _BATCH_TYPEHASH = keccak256(
        "VerdictBatch(address market,bytes32 verdictsRoot,uint32 count,uint64 expiry)"
    );

    IComputeToken private immutable _token;

    mapping(address signer => Signer) private _signers;
    uint256 private _activeSigners;
    uint256 private _memberCount;
    uint256 private _bondAmount;
    // One slot: a verification reads the lifetime and the threshold with one cold load.
    uint64 private _maxAttestationLifetime;
    uint64 private _threshold;
    uint64 private _bondUnbondingPeriod;
    uint16 private _reporterRewardBps;

    /// @param token_ The RGL token (bonds are posted and burned in it).
    /// @param admin The account given `DEFAULT_ADMIN_ROLE` (the timelock in a deployment).
    /// @param threshold_ The initial threshold (1..MAX_SIGNERS). The committee starts with no
    /// member, so this one is not bounded by `memberCount()`: nothing verifies until `threshold_`
    /// signers are active (later changes are bounded, `setThreshold`).
    /// @param bondAmount_ The bond a signer posts (at least MIN_BOND_AMOUNT).
    /// @param reporterRewardBps_ The reporter's share of a slashed bond (at most MAX_REPORTER_REWARD_BPS).
    /// @param bondUnbondingPeriod_ How long a removed signer's bond stays slashable, at least.
    /// `maxAttestationLifetime` starts at 7 days; governance sets it with `setMaxAttestationLifetime`.
    constructor(
        IComputeToken token_,
        address admin,
        uint256 threshold_,
        uint256 bondAmount_,
        uint16 reporterRewardBps_,
        uint64 bondUnbondingPeriod_
    ) EIP712("Rigel", "1") {
        if (admin == address(0) || address(token_) == address(0)) revert CommitteeZeroAddress();
        _token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setThreshold(threshold_);
        _setBondAmount(bondAmount_);
        _setReporterRewardBps(reporterRewardBps_);
        _setBondUnbondingPeriod(bondUnbondingPeriod_);
        _setMaxAttestationLifetime(_DEFAULT_ATTESTATION_LIFETIME);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IBondedOracleCommittee
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IBondedOracleCommittee
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc IBondedOracleCommittee
    function activeSigners() external view returns (uint256) {
        return _activeSigners;
    }

    /// @inheritdoc IBondedOracleCommittee
    function memberCount() external view returns (uint256) {
        return _memberCount;
    }

    /// @inheritdoc IBondedOracleCommittee
    function bondAmount() external view returns (uint256) {
        return _bondAmount;
    }

    /// @inheritdoc IBondedOracleCommittee
    function reporterRewardBps() external view returns (uint16) {
        return _reporterRewardBps;
    }

    /// @inheritdoc IBondedOracleCommittee
    function bondUnbondingPeriod() external view returns (uint64) {
        return _bondUnbondingPeriod;
    }

    /// @inheritdoc IBondedOracleCommittee
    function maxAttestationLifetime() external view returns (uint64) {
        return _maxAttestationLifetime;
    }

    /// @inheritdoc IBondedOracleCommittee
    function signerInfo(address signer) external view returns (Signer memory) {
        return _signers[signer];
    }

    /// @inheritdoc IBondedOracleCommittee
    function isActiveSigner(address signer) public view returns (bool) {
        return _signers[signer].status == SignerStatus.Active;
    }

    /// @inheritdoc IOracleCommittee
    function hashShardAttestation(ShardAttestation calldata attestation) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_SHARD_TYPEHASH, attestation)));
    }

    /// @inheritdoc IOracleCommittee
    function hashCapacityAttestation(CapacityAttestation calldata attestation) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_CAPACITY_TYPEHASH, attestation)));
    }

    /// @inheritdoc IOracleCommittee
    function hashVerdictBatch(VerdictBatch calldata batch) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_BATCH_TYPEHASH, batch)));
    }

    /// @inheritdoc IOracleCommittee
    function verifyVerdictBatch(VerdictBatch calldata batch, bytes[] calldata signatures) external view {
        _checkLifetime(batch.expiry);
        _verifyQuorum(hashVerdictBatch(batch), signatures);
    }

    /// @inheritdoc IOracleCommittee
    function verifyShardAttestation(ShardAttestation calldata attestation, bytes[] calldata signatures) external view {
        _checkLifetime(attestation.expiry);
        _verifyQuorum(hashShardAttestation(attestation), signatures);
    }

    /// @inheritdoc IOracleCommittee
    function verifyCapacityAttestation(
        CapacityAttestation calldata attestation,
        bytes[] calldata signatures
    ) external view {
        _checkLifetime(attestation.validUntil);
        _verifyQuorum(hashCapacityAttestation(attestation), signatures);
    }

    // ---------------------------------------------------------------- signers

    /// @inheritdoc IBondedOracleCommittee
    function approveSigner(address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (signer == address(0)) revert CommitteeZeroAddress();
        Signer storage s = _signers[signer];
        bool fresh = s.status == SignerStatus.None || (s.status == SignerStatus.Removed && s.bond == 0);
        if (!fresh) revert CommitteeWrongSignerStatus(signer, s.status);
        if (s.status == SignerStatus.Removed) {
            // Every attestation it signed before its removal must have expired (PROTOCOL §7.2).
            uint256 reapprovableAt = uint256(s.removedAt) + _maxAttestationLifetime;
            if (block.timestamp < reapprovableAt) revert CommitteeSignerCoolingDown(signer, reapprovableAt);
        }
        if (_memberCount >= MAX_SIGNERS) revert CommitteeTooManySigners(MAX_SIGNERS);
        s.status = SignerStatus.Approved;
        s.bondReleaseAt = 0;
        ++_memberCount;
        emit SignerApproved(signer);
    }

    /// @inheritdoc IBondedOracleCommittee
    function postBond() external nonReentrant {
        Signer storage s = _signers[msg.sender];
        if (s.status != SignerStatus.Approved) revert CommitteeWrongSignerStatus(msg.sender, s.status);
        uint256 amount = _bondAmount;
        s.status = SignerStatus.Active;
        s.bond = amount;
        uint256 active = ++_activeSigners;
        emit SignerBonded(msg.sender, amount, active);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IBondedOracleCommittee
    function removeSigner(address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _remove(signer);
    }

    /// @inheritdoc IBondedOracleCommittee
    function withdrawBond() external nonReentrant {
        Signer storage s = _signers[msg.sender];
        if (s.status != SignerStatus.Removed || s.bond == 0 || block.timestamp < s.bondReleaseAt) {
            revert CommitteeBondLocked(msg.sender, s.bondReleaseAt);
        }
        uint256 amount = s.bond;
        s.bond = 0;
        emit BondWithdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- parameters

    /// @inheritdoc IBondedOracleCommittee
    function setThreshold(uint256 newThreshold) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newThreshold > _memberCount) revert CommitteeThresholdAboveMembers(newThreshold, _memberCount);
        _setThreshold(newThreshold);
    }

    /// @inheritdoc IBondedOracleCommittee
    function setBondAmount(uint256 newBondAmount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setBondAmount(newBondAmount);
    }

    /// @inheritdoc IBondedOracleCommittee
    function setReporterRewardBps(uint16 newReporterRewardBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setReporterRewardBps(newReporterRewardBps);
    }

    /// @inheritdoc IBondedOracleCommittee
    function setBondUnbondingPeriod(uint64 newPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setBondUnbondingPeriod(newPeriod);
    }

    /// @inheritdoc IBondedOracleCommittee
    function setMaxAttestationLifetime(uint64 newLifetime) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxAttestationLifetime(newLifetime);
    }

    // ---------------------------------------------------------------- equivocation

    /// @inheritdoc IBondedOracleCommittee
    function reportShardEquivocation(
        ShardAttestation calldata a,
        bytes calldata sigA,
        ShardAttestation calldata b,
        bytes calldata sigB
    ) external nonReentrant {
        if (a.market != b.market || a.jobId != b.jobId || a.shard != b.shard) revert CommitteeDifferentSubjects();
        bool sameContent =
            a.operator == b.operator && a.resultRoot == b.resultRoot && a.verdict == b.verdict && a.units == b.units;
        if (sameContent) revert CommitteeSameContent();
        bytes32 subject = keccak256(abi.encode(a.market, a.jobId, a.shard));
        _punish(hashShardAttestation(a), sigA, hashShardAttestation(b), sigB, subject);
    }

    /// @inheritdoc IBondedOracleCommittee
    function reportVerdictEquivocation(VerdictEvidence calldata a, VerdictEvidence calldata b) external nonReentrant {
        ShardVerdict calldata va = a.verdict;
        ShardVerdict calldata vb = b.verdict;
        if (a.batch.market != b.batch.market || va.jobId != vb.jobId || va.shard != vb.shard) {
            revert CommitteeDifferentSubjects();
        }
        if (_sameVerdict(va.operator, va.resultRoot, va.verdict, va.units, vb)) revert CommitteeSameContent();
        _requireLeaf(a);
        _requireLeaf(b);
        bytes32 subject = keccak256(abi.encode(a.batch.market, va.jobId, va.shard));
        _punish(hashVerdictBatch(a.batch), a.signature, hashVerdictBatch(b.batch), b.signature, subject);
    }

    /// @inheritdoc IBondedOracleCommittee
    function reportMixedEquivocation(
        ShardAttestation calldata a,
        bytes calldata sigA,
        VerdictEvidence calldata b
    ) external nonReentrant {
        ShardVerdict calldata vb = b.verdict;
        if (a.market != b.batch.market || a.jobId != vb.jobId || a.shard != vb.shard) {
            revert CommitteeDifferentSubjects();
        }
        if (_sameVerdict(a.operator, a.resultRoot, a.verdict, a.units, vb)) revert CommitteeSameContent();
        _requireLeaf(b);
        bytes32 subject = keccak256(abi.encode(a.market, a.jobId, a.shard));
        _punish(hashShardAttestation(a), sigA, hashVerdictBatch(b.batch), b.signature, subject);
    }

    /// @inheritdoc IBondedOracleCommittee
    function reportCapacityEquivocation(
        CapacityAttestation calldata a,
        bytes calldata sigA,
        CapacityAttestation calldata b,
        bytes calldata sigB
    ) external nonReentrant {
        if (a.challengeId != b.challengeId) revert CommitteeDifferentSubjects();
        bool sameContent =
            a.operator == b.operator &&
                a.opsPerSec == b.opsPerSec &&
                a.vramMiB == b.vramMiB &&
                a.gpuModel == b.gpuModel;
        if (sameContent) revert CommitteeSameContent();
        _punish(hashCapacityAttestation(a), sigA, hashCapacityAttestation(b), sigB, a.challengeId);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Whether a verdict says the same as (operator, resultRoot, verdict, units).
    function _sameVerdict(
        address operator,
        bytes32 resultRoot,
        uint8 verdict,
        uint64 units,
        ShardVerdict calldata v
    ) private pure returns (bool) {
        return operator == v.operator && resultRoot == v.resultRoot && verdict == v.verdict && units == v.units;
    }

    /// @dev Reverts unless the evidence's leaf is proven in its batch.
    function _requireLeaf(VerdictEvidence calldata e) private pure {
        bytes32 leaf = VerdictTree.leaf(e.verdict);
        if (!MerkleProof.verifyCalldata(e.proof, e.batch.verdictsRoot, leaf)) {
            revert CommitteeLeafNotInBatch(e.batch.verdictsRoot, leaf);
        }
    }

    /// @dev Reverts when `expiry` lies more than `_maxAttestationLifetime` after now.
    function _checkLifetime(uint64 expiry) private view {
        uint256 latest = block.timestamp + _maxAttestationLifetime;
        if (expiry > latest) revert CommitteeAttestationTooLong(expiry, latest);
    }

    /// @dev Reverts unless `signatures` recover to strictly increasing active signers, at least
    /// `_threshold` of them. The loop is bounded: a longer list than MAX_SIGNERS cannot be sorted,
    /// unique and active at once, and the check on the count runs first.
    function _verifyQuorum(bytes32 digest, bytes[] calldata signatures) private view {
        uint256 count = signatures.length;
        if (count < _threshold) revert CommitteeBelowThreshold(count, _threshold);
        if (count > MAX_SIGNERS) revert CommitteeTooManySigners(MAX_SIGNERS);
        address previous = address(0);
        for (uint256 i = 0; i < count; ++i) {
            address signer = _recover(digest, signatures[i], i);
            if (signer <= previous) revert CommitteeSignersNotSorted(i, signer);
            if (!isActiveSigner(signer)) revert CommitteeSignerNotActive(signer);
            previous = signer;
        }
    }

    /// @dev ECDSA recovery that rejects malleable (high-s) and malformed signatures.
    function _recover(bytes32 digest, bytes calldata signature, uint256 index) private pure returns (address) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err != ECDSA.RecoverError.NoError) revert CommitteeInvalidSignature(index);
        return signer;
    }

    /// @dev Both digests must be signed by one signer with a bond; slash it all and remove it. A
    /// signer reporting itself gets nothing: its whole bond is burned (PROTOCOL §7.1).
    function _punish(
        bytes32 digestA,
        bytes calldata sigA,
        bytes32 digestB,
        bytes calldata sigB,
        bytes32 subject
    ) private {
        address signer = _recover(digestA, sigA, 0);
        address other = _recover(digestB, sigB, 1);
        if (signer != other) revert CommitteeDifferentSigners(signer, other);
        Signer storage s = _signers[signer];
        uint256 bond = s.bond;
        if (bond == 0) revert CommitteeNothingToSlash(signer);
        if (s.status != SignerStatus.Removed) _remove(signer);
        s.bond = 0;
        uint256 reward = msg.sender == signer ? 0 : (bond * _reporterRewardBps) / _BPS;
        emit EquivocationReported(signer, msg.sender, subject, bond, reward);
        if (reward > 0) _token.safeTransfer(msg.sender, reward);
        // Always some to burn: bond > 0 (checked above) and reward <= bond * MAX_REPORTER_REWARD_BPS / 10000.
        _token.burn(bond - reward);
    }

    function _remove(address signer) private {
        Signer storage s = _signers[signer];
        SignerStatus status = s.status;
        if (status != SignerStatus.Approved && status != SignerStatus.Active) {
            revert CommitteeWrongSignerStatus(signer, status);
        }
        if (status == SignerStatus.Active) --_activeSigners;
        --_memberCount;
        s.status = SignerStatus.Removed;
        // Locked, and slashable, until every attestation it may have signed has expired.
        uint64 lock = _bondUnbondingPeriod > _maxAttestationLifetime ? _bondUnbondingPeriod : _maxAttestationLifetime;
        uint64 releaseAt = uint64(block.timestamp) + lock;
        s.removedAt = uint64(block.timestamp);
        s.bondReleaseAt = releaseAt;
        emit SignerRemoved(signer, releaseAt, _activeSigners);
    }

    function _setThreshold(uint256 newThreshold) private {
        if (newThreshold == 0 || newThreshold > MAX_SIGNERS) revert CommitteeInvalidThreshold(newThreshold);
        // Cannot truncate: newThreshold <= MAX_SIGNERS (32), checked above.
        _threshold = uint64(newThreshold);
        emit ThresholdSet(newThreshold);
    }

    function _setBondAmount(uint256 newBondAmount) private {
        if (newBondAmount < MIN_BOND_AMOUNT) revert CommitteeBondTooSmall(newBondAmount, MIN_BOND_AMOUNT);
        _bondAmount = newBondAmount;
        emit BondAmountSet(newBondAmount);
    }

    function _setReporterRewardBps(uint16 newReporterRewardBps) private {
        if (newReporterRewardBps > MAX_REPORTER_REWARD_BPS) revert CommitteeInvalidBps(newReporterRewardBps);
        _reporterRewardBps = newReporterRewardBps;
        emit ReporterRewardSet(newReporterRewardBps);
    }

    function _setBondUnbondingPeriod(uint64 newPeriod) private {
        if (newPeriod > MAX_ATTESTATION_LIFETIME) revert CommitteeInvalidUnbondingPeriod(newPeriod);
        _bondUnbondingPeriod = newPeriod;
        emit BondUnbondingPeriodSet(newPeriod);
    }

    function _setMaxAttestationLifetime(uint64 newLifetime) private {
        if (newLifetime < MIN_ATTESTATION_LIFETIME || newLifetime > MAX_ATTESTATION_LIFETIME) {
            revert CommitteeInvalidAttestationLifetime(newLifetime);
        }
        _maxAttestationLifetime = newLifetime;
        emit MaxAttestationLifetimeSet(newLifetime);
    }
}
