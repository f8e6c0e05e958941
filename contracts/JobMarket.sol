// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IComputeToken} from "./interfaces/IComputeToken.sol";
import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {IOracleCommittee} from "./interfaces/IOracleCommittee.sol";
import {IRewardsDistributor} from "./interfaces/IRewardsDistributor.sol";
import {IStakingHooks} from "./interfaces/IStakingHooks.sol";
import {MarketMath} from "./libraries/MarketMath.sol";
import {ShardTransitions} from "./libraries/ShardTransitions.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {JobMarketSettlement} from "./JobMarketSettlement.sol";
import {JobMarketStorage} from "./JobMarketStorage.sol";

/// @title JobMarket
/// @notice Escrow, acceptance, submission and committee settlement of GPU job shards, with every
/// payout, refund and fee credited and withdrawn by its owner (PROTOCOL §9, §20).
contract JobMarket is JobMarketStorage, IJobMarket, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using ShardTransitions for ShardTransitions.Record;

    /// @inheritdoc IJobMarket
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @inheritdoc IJobMarket
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @inheritdoc IJobMarket
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    uint32 private constant _MAX_SHARDS = 64;
    uint32 private constant _MAX_ASSIGN_GRACE = 7 days;
    uint32 private constant _DEFAULT_ASSIGN_GRACE = 10 minutes;

    /// @notice The RGL token (fees in RGL are burned).
    IComputeToken public immutable rgl;
    /// @notice OperatorStaking.
    IStakingHooks public immutable staking;
    /// @notice The oracle committee.
    IOracleCommittee public immutable committee;
    /// @notice The rewards distributor.
    IRewardsDistributor public immutable rewards;
    /// @notice The settlement module (settle, settleVerdicts, expire, releaseGang run in it by
    /// delegatecall), deployed by the constructor.
    address public immutable settlement;

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
        settlement = address(new JobMarketSettlement(rgl_, staking_, committee_, rewards_));
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNOR_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _setParams(params_);
        _assignGrace = _DEFAULT_ASSIGN_GRACE;
        emit AssignGraceSet(_DEFAULT_ASSIGN_GRACE);
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
        JobRecord storage job = _job(jobId);
        if (msg.sender != job.developer) revert MarketNotDeveloper(msg.sender, job.developer);
        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        uint32 n = job.shards;
        for (uint32 i = 0; i < n; ++i) {
            ShardTransitions.Record storage sh = _shards[jobId][i];
            if (sh.state != ShardState.Open) continue;
            sh.close(ShardState.Cancelled);
            ++cancelled;
            emit ShardCancelled(jobId, i, shardValue);
        }
        _refund(job, shardValue * cancelled);
    }

    // ---------------------------------------------------------------- operator

    /// @inheritdoc IJobMarket
    function accept(uint256 jobId, uint32 shard) external nonReentrant whenNotPaused {
        _accept(jobId, shard);
    }

    /// @inheritdoc IJobMarket
    function acceptAndSubmit(
        uint256 jobId,
        uint32 shard,
        bytes32 resultRoot,
        uint64 units,
        string calldata resultURI
    ) external nonReentrant whenNotPaused {
        JobRecord storage job = _job(jobId);
        if (job.gang) revert MarketGangNotStarted(jobId);
        ShardTransitions.Record storage sh = _shardIn(jobId, shard, ShardState.Open);
        if (block.timestamp >= job.deadline) revert MarketDeadlinePassed(jobId, job.deadline);
        _checkAssigned(job, jobId, shard);
        _checkSubmission(job, units, resultRoot);
        (uint256 collateral, uint32 termsId) = _collateralAndTerms(job);
        _checkEligible(job, msg.sender, collateral);

        sh.acceptAndSubmit(_operatorIdOf(msg.sender), termsId, resultRoot, units);
        emit ShardAccepted(jobId, shard, msg.sender, collateral);
        emit ShardSubmitted(jobId, shard, msg.sender, resultRoot, units, uint64(block.number), resultURI);

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
        _submit(jobId, shard, resultRoot, units, resultURI);
    }

    /// @inheritdoc IJobMarket
    function submitMany(Submission[] calldata subs) external nonReentrant {
        uint256 n = subs.length;
        for (uint256 i = 0; i < n; ++i) {
            Submission calldata s = subs[i];
            _submit(s.jobId, s.shard, s.resultRoot, s.units, s.resultURI);
        }
    }

    // ---------------------------------------------------------------- settlement

    // ---------------------------------------------------------------- exits (settlement module)

    /// @inheritdoc IJobMarket
    function settle(IOracleCommittee.ShardAttestation calldata, bytes[] calldata) external nonReentrant {
        _delegate();
    }

    /// @inheritdoc IJobMarket
    function settleVerdicts(
        IOracleCommittee.VerdictBatch calldata,
        bytes[] calldata,
        IOracleCommittee.ShardVerdict[] calldata
    ) external nonReentrant returns (uint256) {
        return abi.decode(_delegate(), (uint256));
    }

    /// @inheritdoc IJobMarket
    function expire(uint256, uint32) external nonReentrant {
        _delegate();
    }

    /// @inheritdoc IJobMarket
    function releaseGang(uint256) external nonReentrant returns (uint256) {
        return abi.decode(_delegate(), (uint256));
    }

    /// @dev Runs this call's calldata in the settlement module, in this contract's storage; bubbles
    /// its revert.
    function _delegate() private returns (bytes memory) {
        return Address.functionDelegateCall(settlement, msg.data);
    }

    // ---------------------------------------------------------------- withdrawals

    /// @inheritdoc IJobMarket
    function withdraw(address token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert MarketZeroAddress();
        amount = _withdraw(token, to);
        if (amount == 0) revert MarketNothingOwed(token, msg.sender);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IJobMarket
    function setPaymentToken(address token, bool allowed, uint128 rglPerToken) external onlyRole(GOVERNOR_ROLE) {
        if (token == address(0)) revert MarketZeroAddress();
        if (allowed && rglPerToken == 0) revert MarketBadParam("rglPerToken", 0);
        TokenState storage ts = _tokens[token];
        if (ts.id == 0) {
            uint16 id = ++_tokenCount;
            ts.id = id;
            _tokenById[id] = token;
        }
        // Disallowing with rate 0 keeps the rate: open shards of its jobs are accepted at it (§20.2).
        uint128 rate = rglPerToken == 0 ? ts.rglPerToken : rglPerToken;
        ts.allowed = allowed;
        if (rate != ts.rglPerToken) {
            ts.rglPerToken = rate;
            ts.termsId = 0;
        }
        emit PaymentTokenSet(token, allowed, rate);
    }

    /// @inheritdoc IJobMarket
    function setAssignGrace(uint32 grace) external onlyRole(GOVERNOR_ROLE) {
        if (grace > _MAX_ASSIGN_GRACE) revert MarketBadParam("assignGrace", grace);
        _assignGrace = grace;
        emit AssignGraceSet(grace);
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
        JobRecord storage r = _jobs[jobId];
        uint32 n = r.shards;
        uint256 unsettled = 0;
        // Bounded by the job's shard count (≤ 64).
        for (uint32 i = 0; i < n; ++i) {
            ShardState state = _shards[jobId][i].state;
            if (ShardTransitions.isUnsettled(state)) ++unsettled;
        }
        return _jobView(r, _tokenById[r.tokenId], unsettled);
    }

    /// @dev The `Job` view of a record with `unsettled` shards in escrow.
    function _jobView(JobRecord storage r, address token, uint256 unsettled) private view returns (Job memory) {
        return
            Job({
                developer: r.developer,
                deadline: r.deadline,
                shards: r.shards,
                paymentToken: token,
                maxUnitsPerShard: r.maxUnitsPerShard,
                minVramMiB: r.minVramMiB,
                maxPricePerUnit: r.maxPricePerUnit,
                minOpsPerSec: r.minOpsPerSec,
                kind: r.kind,
                verificationMode: r.verificationMode,
                escrow: MarketMath.shardValue(r.maxUnitsPerShard, r.maxPricePerUnit) * unsettled
            });
    }

    /// @inheritdoc IJobMarket
    function getShard(uint256 jobId, uint32 shard) external view returns (Shard memory) {
        ShardTransitions.Record storage sh = _shards[jobId][shard];
        ShardTerms memory t = _terms[sh.termsId];
        // An Open shard's slot 0 may hold its assignment (PROTOCOL §20.10): no operator yet.
        bool open = sh.state == ShardState.Open;
        return
            Shard({
                state: sh.state,
                operator: open ? address(0) : _operatorById[sh.operatorId],
                acceptedAt: open ? 0 : sh.acceptedAt,
                submittedAt: sh.submittedAt,
                submittedBlock: sh.submittedBlock,
                units: sh.units,
                collateral: sh.termsId == 0 ? 0 : uint128(_collateralOf(_jobs[jobId], t)),
                resultRoot: sh.resultRoot,
                verifyWindow: t.verifyWindow
            });
    }

    /// @inheritdoc IJobMarket
    function shardTerms(uint256 jobId, uint32 shard) external view returns (ShardTerms memory) {
        return _terms[_shards[jobId][shard].termsId];
    }

    /// @inheritdoc IJobMarket
    function owedOf(address token, address account) external view returns (uint256) {
        return _owed[token][account];
    }

    /// @inheritdoc IJobMarket
    function owedTotal(address token) external view returns (uint256) {
        return _books[token].owed;
    }

    /// @inheritdoc IJobMarket
    function assignedOperator(uint256 jobId, uint32 shard) external view returns (address) {
        uint256 w = _shards[jobId][shard].word();
        if (!_jobs[jobId].assigned || ShardTransitions.stateOf(w) != ShardState.Open) return address(0);
        return _operatorById[ShardTransitions.operatorIdOf(w)];
    }

    /// @inheritdoc IJobMarket
    function assignmentsReopenAt(uint256 jobId) external view returns (uint64) {
        JobRecord storage job = _jobs[jobId];
        if (!job.assigned) return 0;
        // Bounded by the job's shard count (≤ 64); every assigned shard that is still Open holds it.
        uint32 n = job.shards;
        for (uint32 i = 0; i < n; ++i) {
            uint256 w = _shards[jobId][i].word();
            if (ShardTransitions.stateOf(w) == ShardState.Open && ShardTransitions.operatorIdOf(w) != 0) {
                return ShardTransitions.reopensAtOf(w);
            }
        }
        return 0;
    }

    /// @inheritdoc IJobMarket
    function assignGrace() external view returns (uint32) {
        return _assignGrace;
    }

    /// @inheritdoc IJobMarket
    function gangOf(uint256 jobId) external view returns (Gang memory) {
        return _gangs[jobId];
    }

    /// @inheritdoc IJobMarket
    function beaconOf(uint256 jobId, uint32 shard) external view returns (bytes32) {
        ShardTransitions.Record storage sh = _shards[jobId][shard];
        if (sh.submittedBlock == 0) return bytes32(0);
        bytes32 bh = blockhash(sh.submittedBlock);
        if (bh == bytes32(0)) return bytes32(0);
        return keccak256(abi.encode(block.chainid, address(this), jobId, shard, sh.resultRoot, bh));
    }

    /// @inheritdoc IJobMarket
    function collateralFor(uint256 jobId) public view returns (uint256) {
        JobRecord storage job = _jobs[jobId];
        return
            MarketMath.collateral(
                MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit),
                _params.collateralRatioBps,
                _tokens[_tokenById[job.tokenId]].rglPerToken
            );
    }

    /// @inheritdoc IJobMarket
    function jobCount() external view returns (uint256) {
        return _jobCount;
    }

    /// @inheritdoc IJobMarket
    function escrowOf(address token) external view returns (uint256) {
        return _books[token].escrow;
    }

    /// @inheritdoc IJobMarket
    function paymentToken(address token) external view returns (PaymentToken memory) {
        TokenState storage ts = _tokens[token];
        return PaymentToken({allowed: ts.allowed, rglPerToken: ts.rglPerToken});
    }

    /// @inheritdoc IJobMarket
    function params() external view returns (Params memory) {
        ParamsRecord memory p = _params;
        return
            Params({
                treasury: p.treasury,
                feeBps: p.feeBps,
                collateralRatioBps: p.collateralRatioBps,
                verifyWindow: p.verifyWindow,
                invalidSlashBps: p.invalidSlashBps,
                invalidDeveloperBps: p.invalidDeveloperBps,
                noShowSlashBps: p.noShowSlashBps,
                noShowDeveloperBps: p.noShowDeveloperBps
            });
    }

    /// @inheritdoc IJobMarket
    function operatorRecord(address operator) external view returns (OperatorRecord memory) {
        return _records[operator];
    }

    // ---------------------------------------------------------------- internals: entry

    function _createJob(JobParams calldata p, uint64 acceptDeadline) private returns (uint256 jobId) {
        TokenState storage ts = _tokens[p.paymentToken];
        if (!ts.allowed) revert MarketTokenNotAllowed(p.paymentToken);
        if (p.shards == 0 || p.shards > _MAX_SHARDS) revert MarketBadShardCount(p.shards);
        if (p.maxUnitsPerShard == 0 || p.maxPricePerUnit == 0) revert MarketZeroValue();
        if (p.maxPricePerUnit > type(uint96).max) revert MarketBadParam("maxPricePerUnit", p.maxPricePerUnit);
        if (p.deadline <= block.timestamp || p.deadline > type(uint40).max) {
            revert MarketBadDeadline(p.deadline, block.timestamp);
        }
        uint256 nOps = p.shardOperators.length;
        if (nOps != 0 && nOps != p.shards) revert MarketBadOperatorList(nOps, p.shards);
        uint96 price = uint96(p.maxPricePerUnit);
        uint256 escrow = MarketMath.shardValue(p.maxUnitsPerShard, price) * p.shards;

        jobId = ++_jobCount;
        JobRecord memory r = JobRecord({
            developer: msg.sender,
            deadline: uint40(p.deadline),
            shards: uint8(p.shards),
            kind: p.kind,
            verificationMode: p.verificationMode,
            gang: acceptDeadline != 0,
            assigned: nOps != 0,
            tokenId: ts.id,
            maxPricePerUnit: price,
            maxUnitsPerShard: p.maxUnitsPerShard,
            minVramMiB: p.minVramMiB,
            minOpsPerSec: p.minOpsPerSec
        });
        _jobs[jobId] = r;
        if (nOps != 0) _recordAssignments(jobId, p.shardOperators);
        Book storage book = _books[p.paymentToken];
        book.escrow = SafeCast.toUint128(book.escrow + escrow);
        emit JobCreated(
            jobId,
            msg.sender,
            p.paymentToken,
            _jobView(_jobs[jobId], p.paymentToken, p.shards),
            p.specHash,
            p.specURI
        );
        if (acceptDeadline != 0) {
            _gangs[jobId].acceptDeadline = acceptDeadline;
            emit GangJobCreated(jobId, acceptDeadline);
        }

        // Solvent after the transfer (one balance read): a fee-on-transfer token falls short.
        IERC20(p.paymentToken).safeTransferFrom(msg.sender, address(this), escrow);
        uint256 held = IERC20(p.paymentToken).balanceOf(address(this));
        uint256 due = uint256(book.escrow) + book.owed;
        if (held < due) revert MarketTransferShortfall(p.paymentToken, due, held);
    }

    /// @dev Shards start Open (state 0) without a write; an assigned shard's record slot 0 holds its
    /// operator's id and, in `acceptedAt`, the time the reservation lapses (PROTOCOL §20.9, §20.10).
    function _recordAssignments(uint256 jobId, address[] calldata operators) private {
        uint64 reopensAt = uint64(block.timestamp) + _assignGrace;
        emit AssignmentsReopenAt(jobId, reopensAt);
        uint256 n = operators.length;
        for (uint32 i = 0; i < n; ++i) {
            address op = operators[i];
            if (op != address(0)) {
                _shards[jobId][i].assign(_operatorIdOf(op), uint40(reopensAt));
                emit ShardAssigned(jobId, i, op);
            }
        }
    }

    function _accept(uint256 jobId, uint32 shard) private {
        JobRecord storage job = _job(jobId);
        ShardTransitions.Record storage sh = _shardIn(jobId, shard, ShardState.Open);
        if (block.timestamp >= job.deadline) revert MarketDeadlinePassed(jobId, job.deadline);
        _checkAssigned(job, jobId, shard);
        Gang storage gang = _gangs[jobId];
        uint64 acceptDeadline = job.gang ? gang.acceptDeadline : 0;
        if (acceptDeadline != 0 && block.timestamp >= acceptDeadline) {
            revert MarketGangAcceptClosed(jobId, acceptDeadline);
        }
        (uint256 collateral, uint32 termsId) = _collateralAndTerms(job);
        _checkEligible(job, msg.sender, collateral);

        sh.accept(_operatorIdOf(msg.sender), termsId);
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

    function _submit(uint256 jobId, uint32 shard, bytes32 resultRoot, uint64 units, string calldata resultURI) private {
        JobRecord storage job = _job(jobId);
        ShardTransitions.Record storage sh = _shardIn(jobId, shard, ShardState.Accepted);
        uint32 callerId = _operatorIds[msg.sender];
        if (callerId != sh.operatorId) revert MarketNotShardOperator(msg.sender, _operatorById[sh.operatorId]);
        if (block.timestamp > job.deadline) revert MarketDeadlinePassed(jobId, job.deadline);
        _requireGangStarted(jobId, job.gang);
        _checkSubmission(job, units, resultRoot);

        sh.submit(callerId, resultRoot, units);
        emit ShardSubmitted(jobId, shard, msg.sender, resultRoot, units, uint64(block.number), resultURI);
    }

    function _checkSubmission(JobRecord storage job, uint64 units, bytes32 resultRoot) private view {
        if (units == 0 || units > job.maxUnitsPerShard) revert MarketBadUnits(units, job.maxUnitsPerShard);
        if (resultRoot == bytes32(0)) revert MarketZeroRoot();
    }

    /// @dev A job created without an operator list has no assignment to read. An assigned shard is
    /// reserved for its operator until the job's assignments reopen (PROTOCOL §20.9).
    function _checkAssigned(JobRecord storage job, uint256 jobId, uint32 shard) private view {
        if (!job.assigned) return;
        uint256 w = _shards[jobId][shard].word();
        uint32 assignedId = ShardTransitions.operatorIdOf(w);
        if (assignedId == 0 || assignedId == _operatorIds[msg.sender]) return;
        if (block.timestamp < ShardTransitions.reopensAtOf(w))
            revert MarketOperatorNotAllowed(jobId, shard, msg.sender);
    }

    /// @dev The collateral a shard of `job` locks now and the id of the terms it is accepted under,
    /// recording new terms after a parameter or rate change (PROTOCOL §20.2).
    function _collateralAndTerms(JobRecord storage job) private returns (uint256 collateral, uint32 termsId) {
        address token = _tokenById[job.tokenId];
        TokenState storage ts = _tokens[token];
        uint128 rate = ts.rglPerToken;
        if (rate == 0) revert MarketBadParam("rglPerToken", 0);
        collateral = MarketMath.collateral(
            MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit),
            _params.collateralRatioBps,
            rate
        );
        termsId = _currentTermsId(token, ts);
    }

    // ---------------------------------------------------------------- internals: money

    function _withdraw(address token, address to) private returns (uint256 amount) {
        amount = _owed[token][msg.sender];
        if (amount == 0) return 0;
        _owed[token][msg.sender] = 0;
        // Cannot underflow: `owed` is the sum of every account's credit in `token`.
        _books[token].owed -= uint128(amount);
        emit Withdrawn(token, msg.sender, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------- internals: checks

    function _checkEligible(JobRecord storage job, address operator, uint256 collateral) private view {
        IStakingHooks.Eligibility memory e = staking.eligibilityOf(operator);
        if (!e.registered) revert MarketNotRegistered(operator);
        if (e.jailedUntil > block.timestamp) revert MarketJailed(operator, e.jailedUntil);
        if (e.capacityValidUntil < block.timestamp || e.vramMiB < job.minVramMiB || e.opsPerSec < job.minOpsPerSec) {
            revert MarketCapacityTooLow(operator, e.opsPerSec, e.vramMiB, e.capacityValidUntil);
        }
        if (e.freeStake < collateral) revert MarketInsufficientStake(operator, e.freeStake, collateral);
    }

    function _setParams(Params memory p) private {
        if (p.treasury == address(0)) revert MarketZeroAddress();
        if (p.feeBps > MAX_FEE_BPS) revert MarketBadParam("feeBps", p.feeBps);
        if (p.collateralRatioBps < _BPS) revert MarketBadParam("collateralRatioBps", p.collateralRatioBps);
        if (p.verifyWindow == 0 || p.verifyWindow > type(uint32).max)
            revert MarketBadParam("verifyWindow", p.verifyWindow);
        if (p.invalidSlashBps > _BPS) revert MarketBadParam("invalidSlashBps", p.invalidSlashBps);
        if (p.invalidDeveloperBps > _BPS) revert MarketBadParam("invalidDeveloperBps", p.invalidDeveloperBps);
        if (p.noShowSlashBps > _BPS) revert MarketBadParam("noShowSlashBps", p.noShowSlashBps);
        if (p.noShowDeveloperBps > _BPS) revert MarketBadParam("noShowDeveloperBps", p.noShowDeveloperBps);
        uint32 nonce;
        // Wraps after 2^32 parameter changes: harmless, the nonce only tells "changed since".
        unchecked {
            nonce = _params.nonce + 1;
        }
        _params = ParamsRecord({
            treasury: p.treasury,
            feeBps: p.feeBps,
            collateralRatioBps: p.collateralRatioBps,
            nonce: nonce,
            verifyWindow: uint32(p.verifyWindow),
            invalidSlashBps: p.invalidSlashBps,
            invalidDeveloperBps: p.invalidDeveloperBps,
            noShowSlashBps: p.noShowSlashBps,
            noShowDeveloperBps: p.noShowDeveloperBps
        });
        emit ParamsSet(p);
    }
}
