// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IComputeToken} from "./interfaces/IComputeToken.sol";
import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {IOracleCommittee} from "./interfaces/IOracleCommittee.sol";
import {IRewardsDistributor} from "./interfaces/IRewardsDistributor.sol";
import {IStakingHooks} from "./interfaces/IStakingHooks.sol";
import {MarketMath} from "./libraries/MarketMath.sol";

/// @title JobMarket
/// @notice Escrow, acceptance, submission and committee settlement of GPU job shards.
contract JobMarket is IJobMarket, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IJobMarket
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @inheritdoc IJobMarket
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @inheritdoc IJobMarket
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    uint32 private constant _MAX_SHARDS = 64;
    uint16 private constant _BPS = 10_000;

    /// @notice The RGL token (fees in RGL are burned).
    IComputeToken public immutable rgl;
    /// @notice OperatorStaking.
    IStakingHooks public immutable staking;
    /// @notice The oracle committee.
    IOracleCommittee public immutable committee;
    /// @notice The rewards distributor.
    IRewardsDistributor public immutable rewards;

    Params private _params;
    uint256 private _jobCount;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => mapping(uint32 shard => Shard)) private _shards;
    mapping(uint256 jobId => mapping(uint32 shard => address)) private _assigned;
    mapping(address token => PaymentToken) private _tokens;
    mapping(address token => uint256) private _escrow;
    mapping(address operator => OperatorRecord) private _records;
    mapping(uint256 jobId => Gang) private _gangs;

    /// @param admin Receives every role (the timelock in a deployment).
    /// @param rgl_ The RGL token.
    /// @param staking_ OperatorStaking.
    /// @param committee_ The oracle committee.
    /// @param rewards_ The rewards distributor.
    /// @param params_ Initial parameters.
    constructor(
        address admin,
        IComputeToken rgl_,
        IStakingHooks staking_,
        IOracleCommittee committee_,
        IRewardsDistributor rewards_,
        Params memory params_
    ) {
        if (
            admin == address(0) ||
            address(rgl_) == address(0) ||
            address(staking_) == address(0) ||
            address(committee_) == address(0) ||
            address(rewards_) == address(0)
        ) revert MarketZeroAddress();
        rgl = rgl_;
        staking = staking_;
        committee = committee_;
        rewards = rewards_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNOR_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _setParams(params_);
    }

    // ---------------------------------------------------------------- developer

    /// @inheritdoc IJobMarket
    function createJob(JobParams calldata p) external nonReentrant whenNotPaused returns (uint256 jobId) {
        return _createJob(p, 0);
    }

    /// @inheritdoc IJobMarket
    function createGangJob(
        JobParams calldata p,
        uint64 acceptDeadline
    ) external nonReentrant whenNotPaused returns (uint256 jobId) {
        if (acceptDeadline <= block.timestamp || acceptDeadline >= p.deadline) {
            revert MarketGangBadAcceptDeadline(acceptDeadline, p.deadline, block.timestamp);
        }
        return _createJob(p, acceptDeadline);
    }

    /// @inheritdoc IJobMarket
    function createJobWithPermit(
        JobParams calldata p,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant whenNotPaused returns (uint256 jobId) {
        // A front-run permit spends the nonce; the allowance it set is still there, so go on.
        try IERC20Permit(p.paymentToken).permit(msg.sender, address(this), type(uint256).max, permitDeadline, v, r, s) {
            // Permit applied.
        } catch {
            // Ignored: the transferFrom below reverts if the allowance does not suffice.
        }
        return _createJob(p, 0);
    }

    /// @inheritdoc IJobMarket
    function cancel(uint256 jobId) external nonReentrant returns (uint256 cancelled) {
        Job storage job = _job(jobId);
        if (msg.sender != job.developer) revert MarketNotDeveloper(msg.sender, job.developer);
        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        uint32 n = job.shards;
        for (uint32 i = 0; i < n; ++i) {
            Shard storage sh = _shards[jobId][i];
            if (sh.state != ShardState.Open) continue;
            sh.state = ShardState.Cancelled;
            ++cancelled;
            emit ShardCancelled(jobId, i, shardValue);
        }
        uint256 refund = shardValue * cancelled;
        _release(job, refund);
        if (refund > 0) IERC20(job.paymentToken).safeTransfer(job.developer, refund);
    }

    // ---------------------------------------------------------------- operator

    /// @inheritdoc IJobMarket
    function accept(uint256 jobId, uint32 shard) external nonReentrant whenNotPaused {
        Job storage job = _job(jobId);
        Shard storage sh = _shardIn(jobId, shard, ShardState.Open);
        if (block.timestamp >= job.deadline) revert MarketDeadlinePassed(jobId, job.deadline);
        address assigned = _assigned[jobId][shard];
        if (assigned != address(0) && assigned != msg.sender) revert MarketOperatorNotAllowed(jobId, shard, msg.sender);
        Gang storage gang = _gangs[jobId];
        uint64 acceptDeadline = gang.acceptDeadline;
        if (acceptDeadline != 0 && block.timestamp >= acceptDeadline) {
            revert MarketGangAcceptClosed(jobId, acceptDeadline);
        }
        uint256 collateral = collateralFor(jobId);
        _checkEligible(job, msg.sender, collateral);

        sh.state = ShardState.Accepted;
        sh.operator = msg.sender;
        sh.acceptedAt = uint64(block.timestamp);
        sh.collateral = uint128(collateral);
        emit ShardAccepted(jobId, shard, msg.sender, collateral);
        if (acceptDeadline != 0) {
            // Each shard is accepted at most once (Open → Accepted), so `accepted` ≤ shards ≤ 64.
            uint32 accepted = gang.accepted + 1;
            gang.accepted = accepted;
            if (accepted == job.shards) {
                gang.startedAt = uint64(block.timestamp);
                emit GangStarted(jobId, uint64(block.timestamp));
            }
        }

        staking.lockCollateral(msg.sender, collateral);
    }

    /// @inheritdoc IJobMarket
    function submit(
        uint256 jobId,
        uint32 shard,
        bytes32 resultRoot,
        uint64 units,
        string calldata resultURI
    ) external nonReentrant {
        Job storage job = _job(jobId);
        Shard storage sh = _shardIn(jobId, shard, ShardState.Accepted);
        if (msg.sender != sh.operator) revert MarketNotShardOperator(msg.sender, sh.operator);
        if (block.timestamp > job.deadline) revert MarketDeadlinePassed(jobId, job.deadline);
        _requireGangStarted(jobId);
        if (units == 0 || units > job.maxUnitsPerShard) revert MarketBadUnits(units, job.maxUnitsPerShard);
        if (resultRoot == bytes32(0)) revert MarketZeroRoot();

        sh.state = ShardState.Submitted;
        sh.submittedAt = uint64(block.timestamp);
        sh.submittedBlock = uint64(block.number);
        sh.units = units;
        sh.resultRoot = resultRoot;
        sh.resultURI = resultURI;
        emit ShardSubmitted(jobId, shard, msg.sender, resultRoot, units, uint64(block.number), resultURI);
    }

    // ---------------------------------------------------------------- settlement

    /// @inheritdoc IJobMarket
    function settle(
        IOracleCommittee.ShardAttestation calldata attestation,
        bytes[] calldata signatures
    ) external nonReentrant {
        _shardIn(attestation.jobId, attestation.shard, ShardState.Submitted);
        _settle(attestation, signatures);
    }

    /// @inheritdoc IJobMarket
    function settleBatch(
        IOracleCommittee.ShardAttestation[] calldata attestations,
        bytes[][] calldata signatures
    ) external nonReentrant returns (uint256 settled) {
        uint256 n = attestations.length;
        if (n != signatures.length) revert MarketLengthMismatch(n, signatures.length);
        for (uint256 i = 0; i < n; ++i) {
            IOracleCommittee.ShardAttestation calldata a = attestations[i];
            // Skipped, not reverted: someone settling one item first must not sink the batch.
            if (_shards[a.jobId][a.shard].state != ShardState.Submitted) continue;
            _settle(a, signatures[i]);
            ++settled;
        }
    }

    /// @inheritdoc IJobMarket
    function expire(uint256 jobId, uint32 shard) external nonReentrant {
        Job storage job = _job(jobId);
        Shard storage sh = _shard(jobId, shard);
        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        address operator = sh.operator;
        uint256 collateral = sh.collateral;
        if (sh.state == ShardState.Accepted) {
            if (block.timestamp <= job.deadline) revert MarketDeadlineNotPassed(jobId, job.deadline);
            // An unstarted gang's shards could not submit: no no-show slash, `releaseGang` instead.
            _requireGangStarted(jobId);
            sh.state = ShardState.Expired;
            _release(job, shardValue);
            uint256 toSlash = (collateral * _params.noShowSlashBps) / _BPS;
            uint256 slashed = staking.slash(operator, toSlash, collateral, job.developer, _params.noShowDeveloperBps);
            _records[operator].noShows += 1;
            _records[operator].slashed += uint128(slashed);
            emit ShardExpired(jobId, shard, operator, true, slashed, shardValue);
        } else if (sh.state == ShardState.Submitted) {
            uint256 closesAt = uint256(sh.submittedAt) + _params.verifyWindow;
            if (block.timestamp <= closesAt) revert MarketVerifyWindowOpen(jobId, shard, closesAt);
            sh.state = ShardState.Expired;
            _release(job, shardValue);
            emit ShardExpired(jobId, shard, operator, false, 0, shardValue);
            staking.unlockCollateral(operator, collateral);
        } else {
            revert MarketBadShardState(jobId, shard, sh.state);
        }
        IERC20(job.paymentToken).safeTransfer(job.developer, shardValue);
    }

    /// @inheritdoc IJobMarket
    function releaseGang(uint256 jobId) external nonReentrant returns (uint256 cancelled) {
        Job storage job = _job(jobId);
        Gang storage gang = _gangs[jobId];
        uint64 acceptDeadline = gang.acceptDeadline;
        if (acceptDeadline == 0) revert MarketNotGang(jobId);
        if (gang.startedAt != 0) revert MarketGangStarted(jobId, gang.startedAt);
        if (gang.released) revert MarketGangAlreadyReleased(jobId);
        if (block.timestamp < acceptDeadline) revert MarketGangAcceptOpen(jobId, acceptDeadline);

        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        uint32 n = job.shards;
        address[] memory operators = new address[](gang.accepted);
        uint256[] memory collaterals = new uint256[](gang.accepted);
        uint32 unlocked = 0;
        // Bounded by the job's shard count (≤ 64). An unstarted gang has only Open, Accepted and
        // Cancelled shards: nothing can submit before the start.
        for (uint32 i = 0; i < n; ++i) {
            Shard storage sh = _shards[jobId][i];
            ShardState state = sh.state;
            if (state == ShardState.Accepted) {
                operators[unlocked] = sh.operator;
                collaterals[unlocked] = sh.collateral;
                ++unlocked;
            } else if (state != ShardState.Open) {
                continue;
            }
            sh.state = ShardState.Cancelled;
            ++cancelled;
            emit ShardCancelled(jobId, i, shardValue);
        }
        uint256 refund = shardValue * cancelled;
        gang.released = true;
        _release(job, refund);
        emit GangReleased(jobId, unlocked, refund);

        for (uint32 i = 0; i < unlocked; ++i) staking.unlockCollateral(operators[i], collaterals[i]);
        if (refund > 0) IERC20(job.paymentToken).safeTransfer(job.developer, refund);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IJobMarket
    function setPaymentToken(address token, bool allowed, uint128 rglPerToken) external onlyRole(GOVERNOR_ROLE) {
        if (token == address(0)) revert MarketZeroAddress();
        if (allowed && rglPerToken == 0) revert MarketBadParam("rglPerToken", 0);
        _tokens[token] = PaymentToken({allowed: allowed, rglPerToken: rglPerToken});
        emit PaymentTokenSet(token, allowed, rglPerToken);
    }

    /// @inheritdoc IJobMarket
    function setParams(Params calldata params_) external onlyRole(GOVERNOR_ROLE) {
        _setParams(params_);
    }

    /// @inheritdoc IJobMarket
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IJobMarket
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IJobMarket
    function getJob(uint256 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    /// @inheritdoc IJobMarket
    function getShard(uint256 jobId, uint32 shard) external view returns (Shard memory) {
        return _shards[jobId][shard];
    }

    /// @inheritdoc IJobMarket
    function assignedOperator(uint256 jobId, uint32 shard) external view returns (address) {
        return _assigned[jobId][shard];
    }

    /// @inheritdoc IJobMarket
    function gangOf(uint256 jobId) external view returns (Gang memory) {
        return _gangs[jobId];
    }

    /// @inheritdoc IJobMarket
    function beaconOf(uint256 jobId, uint32 shard) external view returns (bytes32) {
        Shard storage sh = _shards[jobId][shard];
        if (sh.submittedBlock == 0) return bytes32(0);
        bytes32 bh = blockhash(sh.submittedBlock);
        if (bh == bytes32(0)) return bytes32(0);
        return keccak256(abi.encode(block.chainid, address(this), jobId, shard, sh.resultRoot, bh));
    }

    /// @inheritdoc IJobMarket
    function collateralFor(uint256 jobId) public view returns (uint256) {
        Job storage job = _jobs[jobId];
        return
            MarketMath.collateral(
                MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit),
                _params.collateralRatioBps,
                _tokens[job.paymentToken].rglPerToken
            );
    }

    /// @inheritdoc IJobMarket
    function jobCount() external view returns (uint256) {
        return _jobCount;
    }

    /// @inheritdoc IJobMarket
    function escrowOf(address token) external view returns (uint256) {
        return _escrow[token];
    }

    /// @inheritdoc IJobMarket
    function paymentToken(address token) external view returns (PaymentToken memory) {
        return _tokens[token];
    }

    /// @inheritdoc IJobMarket
    function params() external view returns (Params memory) {
        return _params;
    }

    /// @inheritdoc IJobMarket
    function operatorRecord(address operator) external view returns (OperatorRecord memory) {
        return _records[operator];
    }

    // ---------------------------------------------------------------- internals

    function _createJob(JobParams calldata p, uint64 acceptDeadline) private returns (uint256 jobId) {
        if (!_tokens[p.paymentToken].allowed) revert MarketTokenNotAllowed(p.paymentToken);
        if (p.shards == 0 || p.shards > _MAX_SHARDS) revert MarketBadShardCount(p.shards);
        if (p.maxUnitsPerShard == 0 || p.maxPricePerUnit == 0) revert MarketZeroValue();
        if (p.deadline <= block.timestamp) revert MarketBadDeadline(p.deadline, block.timestamp);
        uint256 nOps = p.shardOperators.length;
        if (nOps != 0 && nOps != p.shards) revert MarketBadOperatorList(nOps, p.shards);
        uint256 escrow = MarketMath.shardValue(p.maxUnitsPerShard, p.maxPricePerUnit) * p.shards;

        jobId = ++_jobCount;
        _jobs[jobId] = Job({
            developer: msg.sender,
            deadline: p.deadline,
            shards: p.shards,
            paymentToken: p.paymentToken,
            maxUnitsPerShard: p.maxUnitsPerShard,
            minVramMiB: p.minVramMiB,
            maxPricePerUnit: p.maxPricePerUnit,
            minOpsPerSec: p.minOpsPerSec,
            kind: p.kind,
            verificationMode: p.verificationMode,
            specHash: p.specHash,
            escrow: escrow
        });
        // Shards start Open (state 0) without a write; only assignments are stored.
        for (uint32 i = 0; i < nOps; ++i) {
            if (p.shardOperators[i] != address(0)) {
                _assigned[jobId][i] = p.shardOperators[i];
                emit ShardAssigned(jobId, i, p.shardOperators[i]);
            }
        }
        _escrow[p.paymentToken] += escrow;
        emit JobCreated(jobId, msg.sender, p.paymentToken, _jobs[jobId], p.specURI);
        if (acceptDeadline != 0) {
            _gangs[jobId].acceptDeadline = acceptDeadline;
            emit GangJobCreated(jobId, acceptDeadline);
        }

        IERC20 token = IERC20(p.paymentToken);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), escrow);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != escrow) revert MarketTransferShortfall(p.paymentToken, escrow, received);
    }

    function _settle(IOracleCommittee.ShardAttestation calldata a, bytes[] calldata signatures) private {
        Job storage job = _job(a.jobId);
        Shard storage sh = _shards[a.jobId][a.shard];
        if (
            a.market != address(this) ||
            a.operator != sh.operator ||
            a.resultRoot != sh.resultRoot ||
            a.verdict == uint8(IOracleCommittee.Verdict.None) ||
            a.verdict > uint8(IOracleCommittee.Verdict.DeveloperFault)
        ) revert MarketAttestationMismatch(a.jobId, a.shard);
        if (a.expiry < block.timestamp) revert MarketAttestationExpired(a.expiry, block.timestamp);
        uint256 closesAt = uint256(sh.submittedAt) + _params.verifyWindow;
        if (block.timestamp > closesAt) revert MarketVerifyWindowClosed(a.jobId, a.shard, closesAt);
        committee.verifyShardAttestation(a, signatures);

        if (a.verdict == uint8(IOracleCommittee.Verdict.Valid)) {
            _payValid(job, sh, a);
        } else if (a.verdict == uint8(IOracleCommittee.Verdict.DeveloperFault)) {
            _payDeveloperFault(job, sh, a);
        } else {
            _slashInvalid(job, sh, a);
        }
    }

    function _payValid(Job storage job, Shard storage sh, IOracleCommittee.ShardAttestation calldata a) private {
        (uint64 units, uint256 pay, uint256 fee, uint256 refund) = _closePaid(job, sh, a, ShardState.Settled);
        uint256 points = MarketMath.toRgl(fee, _tokens[job.paymentToken].rglPerToken);
        address operator = sh.operator;
        _records[operator].settled += 1;
        emit ShardSettled(a.jobId, a.shard, operator, units, pay - fee, fee, refund, points);

        staking.unlockCollateral(operator, sh.collateral);
        if (points > 0) rewards.creditWork(operator, points, a.jobId, a.shard);
        _transferPayout(job, operator, pay - fee, refund, fee);
    }

    /// @dev The developer's code failed (PROTOCOL §18.2): paid as Valid for the units used, but no
    /// work points (failing on purpose must farm nothing) and no record counter (not the operator's
    /// success, not its fault).
    function _payDeveloperFault(
        Job storage job,
        Shard storage sh,
        IOracleCommittee.ShardAttestation calldata a
    ) private {
        (uint64 units, uint256 pay, uint256 fee, uint256 refund) = _closePaid(job, sh, a, ShardState.DeveloperFault);
        address operator = sh.operator;
        emit ShardDeveloperFault(a.jobId, a.shard, operator, units, pay - fee, fee, refund);

        staking.unlockCollateral(operator, sh.collateral);
        _transferPayout(job, operator, pay - fee, refund, fee);
    }

    /// @dev The effects that the two paying verdicts share: `u = min(attested, submitted units)`, the
    /// split of §9.3, the final state and the release of the shard's whole value from escrow.
    function _closePaid(
        Job storage job,
        Shard storage sh,
        IOracleCommittee.ShardAttestation calldata a,
        ShardState state
    ) private returns (uint64 units, uint256 pay, uint256 fee, uint256 refund) {
        units = a.units < sh.units ? a.units : sh.units;
        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        (pay, fee, refund) = MarketMath.payment(units, job.maxPricePerUnit, shardValue, _params.feeBps);
        sh.state = state;
        _release(job, shardValue);
    }

    /// @dev The transfers of a paid shard: `paid` to the operator, `refund` to the developer, `fee` to
    /// the treasury or burned. Only after every effect and event.
    function _transferPayout(Job storage job, address operator, uint256 paid, uint256 refund, uint256 fee) private {
        address token = job.paymentToken;
        IERC20(token).safeTransfer(operator, paid);
        if (refund > 0) IERC20(token).safeTransfer(job.developer, refund);
        if (fee > 0) _collectFee(token, fee);
    }

    function _slashInvalid(Job storage job, Shard storage sh, IOracleCommittee.ShardAttestation calldata a) private {
        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        address operator = sh.operator;
        uint256 collateral = sh.collateral;

        sh.state = ShardState.Failed;
        _release(job, shardValue);
        uint256 slashed = staking.slash(
            operator,
            (collateral * _params.invalidSlashBps) / _BPS,
            collateral,
            job.developer,
            _params.invalidDeveloperBps
        );
        _records[operator].failed += 1;
        _records[operator].slashed += uint128(slashed);
        emit ShardFailed(a.jobId, a.shard, operator, slashed, shardValue);

        IERC20(job.paymentToken).safeTransfer(job.developer, shardValue);
    }

    function _collectFee(address token, uint256 fee) private {
        if (token == address(rgl)) {
            emit FeeCollected(token, address(0), fee, true);
            rgl.burn(fee);
        } else {
            emit FeeCollected(token, _params.treasury, fee, false);
            IERC20(token).safeTransfer(_params.treasury, fee);
        }
    }

    function _release(Job storage job, uint256 amount) private {
        job.escrow -= amount;
        _escrow[job.paymentToken] -= amount;
    }

    function _checkEligible(Job storage job, address operator, uint256 collateral) private view {
        if (!staking.isRegistered(operator)) revert MarketNotRegistered(operator);
        uint64 jailed = staking.jailedUntil(operator);
        if (jailed > block.timestamp) revert MarketJailed(operator, jailed);
        IStakingHooks.Capacity memory c = staking.capacityOf(operator);
        if (c.validUntil < block.timestamp || c.vramMiB < job.minVramMiB || c.opsPerSec < job.minOpsPerSec) {
            revert MarketCapacityTooLow(operator, c.opsPerSec, c.vramMiB, c.validUntil);
        }
        uint256 free = staking.freeStake(operator);
        if (free < collateral) revert MarketInsufficientStake(operator, free, collateral);
    }

    function _setParams(Params memory p) private {
        if (p.treasury == address(0)) revert MarketZeroAddress();
        if (p.feeBps > MAX_FEE_BPS) revert MarketBadParam("feeBps", p.feeBps);
        if (p.collateralRatioBps < _BPS) revert MarketBadParam("collateralRatioBps", p.collateralRatioBps);
        if (p.verifyWindow == 0) revert MarketBadParam("verifyWindow", 0);
        if (p.invalidSlashBps > _BPS) revert MarketBadParam("invalidSlashBps", p.invalidSlashBps);
        if (p.invalidDeveloperBps > _BPS) revert MarketBadParam("invalidDeveloperBps", p.invalidDeveloperBps);
        if (p.noShowSlashBps > _BPS) revert MarketBadParam("noShowSlashBps", p.noShowSlashBps);
        if (p.noShowDeveloperBps > _BPS) revert MarketBadParam("noShowDeveloperBps", p.noShowDeveloperBps);
        _params = p;
        emit ParamsSet(p);
    }

    function _requireGangStarted(uint256 jobId) private view {
        Gang storage gang = _gangs[jobId];
        if (gang.acceptDeadline != 0 && gang.startedAt == 0) revert MarketGangNotStarted(jobId);
    }

    function _job(uint256 jobId) private view returns (Job storage job) {
        job = _jobs[jobId];
        if (job.developer == address(0)) revert MarketUnknownJob(jobId);
    }

    function _shard(uint256 jobId, uint32 shard) private view returns (Shard storage) {
        if (shard >= _jobs[jobId].shards) revert MarketUnknownShard(jobId, shard);
        return _shards[jobId][shard];
    }

    function _shardIn(uint256 jobId, uint32 shard, ShardState want) private view returns (Shard storage sh) {
        sh = _shard(jobId, shard);
        if (sh.state != want) revert MarketBadShardState(jobId, shard, sh.state);
    }
}
