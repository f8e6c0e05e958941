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
import {VerdictTree} from "./libraries/VerdictTree.sol";

/// @title JobMarket
/// @notice Escrow, acceptance, submission and committee settlement of GPU job shards, with every
/// payout, refund and fee credited and withdrawn by its owner (PROTOCOL §9, §20).
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

    uint8 private constant _SKIP_STATE = 1;
    uint8 private constant _SKIP_MISMATCH = 2;
    uint8 private constant _SKIP_WINDOW = 3;
    uint8 private constant _SKIP_VERDICT = 4;

    /// @dev A job as stored: three slots, what accept and settlement read (PROTOCOL §20.3).
    struct JobRecord {
        address developer;
        uint64 deadline;
        uint32 shards;
        address paymentToken;
        uint64 maxUnitsPerShard;
        uint32 minVramMiB;
        uint128 maxPricePerUnit;
        uint64 minOpsPerSec;
        JobKind kind;
        uint8 verificationMode;
        bool gang;
    }

    /// @dev A shard as stored: three slots. Times fit 40 bits until the year 36812; the collateral
    /// fits 96 bits (it is at most the operator's free stake, below RGL's cap).
    struct ShardRecord {
        address operator;
        ShardState state;
        uint40 acceptedAt;
        uint40 submittedAt;
        bytes32 resultRoot;
        uint64 units;
        uint40 submittedBlock;
        uint96 collateral;
        uint32 termsId;
    }

    /// @dev A payment token's entry and the id of the terms its next shards are accepted under
    /// (valid while `paramsNonce` is the parameters' nonce).
    struct TokenState {
        bool allowed;
        uint128 rglPerToken;
        uint32 termsId;
        uint32 paramsNonce;
    }

    /// @dev Per token: unsettled escrow and everything owed (one slot).
    struct Book {
        uint128 escrow;
        uint128 owed;
    }

    /// @dev The governance parameters as stored; slot 0 holds what accept reads.
    struct ParamsRecord {
        address treasury;
        uint16 feeBps;
        uint32 collateralRatioBps;
        uint32 nonce;
        uint32 verifyWindow;
        uint16 invalidSlashBps;
        uint16 invalidDeveloperBps;
        uint16 noShowSlashBps;
        uint16 noShowDeveloperBps;
    }

    /// @dev What one settlement transaction accumulates before writing: runs of consecutive leaves
    /// with the same (operator, token), (developer, token) and token are written once per run.
    struct Settlement {
        address op;
        address opToken;
        uint256 opPaid;
        uint256 opUnlock;
        uint256 opPoints;
        uint32 opPointShards;
        uint64 opSettled;
        address dev;
        address devToken;
        uint256 devCredit;
        address token;
        uint256 released;
        uint256 credited;
        uint256 fee;
    }

    /// @dev One leaf being applied (reused across a batch): its id, verdict, paid units and split.
    struct Leaf {
        uint256 jobId;
        uint32 shard;
        uint8 verdict;
        uint64 units;
        uint256 pay;
        uint256 fee;
        uint256 refund;
    }

    /// @notice The RGL token (fees in RGL are burned).
    IComputeToken public immutable rgl;
    /// @notice OperatorStaking.
    IStakingHooks public immutable staking;
    /// @notice The oracle committee.
    IOracleCommittee public immutable committee;
    /// @notice The rewards distributor.
    IRewardsDistributor public immutable rewards;

    ParamsRecord private _params;
    uint256 private _jobCount;
    uint32 private _termsCount;
    mapping(uint256 jobId => JobRecord) private _jobs;
    mapping(uint256 jobId => mapping(uint32 shard => ShardRecord)) private _shards;
    mapping(uint256 jobId => mapping(uint32 shard => address)) private _assigned;
    mapping(address token => TokenState) private _tokens;
    mapping(address token => Book) private _books;
    mapping(address token => mapping(address account => uint256)) private _owed;
    mapping(uint32 termsId => ShardTerms) private _terms;
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
        JobRecord storage job = _job(jobId);
        if (msg.sender != job.developer) revert MarketNotDeveloper(msg.sender, job.developer);
        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        uint32 n = job.shards;
        for (uint32 i = 0; i < n; ++i) {
            ShardRecord storage sh = _shards[jobId][i];
            if (sh.state != ShardState.Open) continue;
            sh.state = ShardState.Cancelled;
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
        ShardRecord storage sh = _shardIn(jobId, shard, ShardState.Open);
        if (block.timestamp >= job.deadline) revert MarketDeadlinePassed(jobId, job.deadline);
        _checkAssigned(jobId, shard);
        _checkSubmission(job, units, resultRoot);
        (uint256 collateral, uint32 termsId) = _collateralAndTerms(job);
        _checkEligible(job, msg.sender, collateral);

        uint40 nowTime = uint40(block.timestamp);
        sh.operator = msg.sender;
        sh.state = ShardState.Submitted;
        sh.acceptedAt = nowTime;
        sh.submittedAt = nowTime;
        sh.resultRoot = resultRoot;
        sh.units = units;
        sh.submittedBlock = uint40(block.number);
        sh.collateral = SafeCast.toUint96(collateral);
        sh.termsId = termsId;
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

    /// @inheritdoc IJobMarket
    function settle(
        IOracleCommittee.ShardAttestation calldata a,
        bytes[] calldata signatures
    ) external nonReentrant {
        ShardRecord storage sh = _shardIn(a.jobId, a.shard, ShardState.Submitted);
        if (
            a.market != address(this) ||
            a.operator != sh.operator ||
            a.resultRoot != sh.resultRoot ||
            a.verdict == uint8(IOracleCommittee.Verdict.None) ||
            a.verdict > uint8(IOracleCommittee.Verdict.DeveloperFault)
        ) revert MarketAttestationMismatch(a.jobId, a.shard);
        if (a.expiry < block.timestamp) revert MarketAttestationExpired(a.expiry, block.timestamp);
        ShardTerms memory t = _terms[sh.termsId];
        uint256 closesAt = uint256(sh.submittedAt) + t.verifyWindow;
        if (block.timestamp > closesAt) revert MarketVerifyWindowClosed(a.jobId, a.shard, closesAt);
        committee.verifyShardAttestation(a, signatures);

        Settlement memory s;
        _apply(s, Leaf(a.jobId, a.shard, a.verdict, a.units, 0, 0, 0), sh, t);
        _flush(s);
    }

    /// @inheritdoc IJobMarket
    function settleVerdicts(
        IOracleCommittee.VerdictBatch calldata batch,
        bytes[] calldata signatures,
        IOracleCommittee.ShardVerdict[] calldata verdicts
    ) external nonReentrant returns (uint256 settled) {
        uint256 n = verdicts.length;
        if (n == 0 || n != batch.count) revert MarketLengthMismatch(batch.count, n);
        if (batch.market != address(this)) revert MarketWrongMarket(batch.market);
        if (batch.expiry < block.timestamp) revert MarketAttestationExpired(batch.expiry, block.timestamp);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) leaves[i] = VerdictTree.leaf(verdicts[i]);
        bytes32 root = VerdictTree.rootInPlace(leaves);
        if (root != batch.verdictsRoot) revert MarketVerdictsRootMismatch(batch.verdictsRoot, root);
        committee.verifyVerdictBatch(batch, signatures);

        Settlement memory s;
        Leaf memory l;
        for (uint256 i = 0; i < n; ++i) {
            IOracleCommittee.ShardVerdict calldata v = verdicts[i];
            ShardRecord storage sh = _shards[v.jobId][v.shard];
            // An index at or past the job's shard count (or an unknown job) reads as Open: skipped.
            if (sh.state != ShardState.Submitted) {
                emit VerdictSkipped(v.jobId, v.shard, _SKIP_STATE);
                continue;
            }
            if (v.operator != sh.operator || v.resultRoot != sh.resultRoot) {
                emit VerdictSkipped(v.jobId, v.shard, _SKIP_MISMATCH);
                continue;
            }
            if (v.verdict == uint8(IOracleCommittee.Verdict.None) || v.verdict > uint8(IOracleCommittee.Verdict.DeveloperFault)) {
                emit VerdictSkipped(v.jobId, v.shard, _SKIP_VERDICT);
                continue;
            }
            ShardTerms memory t = _terms[sh.termsId];
            if (block.timestamp > uint256(sh.submittedAt) + t.verifyWindow) {
                emit VerdictSkipped(v.jobId, v.shard, _SKIP_WINDOW);
                continue;
            }
            (l.jobId, l.shard, l.verdict, l.units) = (v.jobId, v.shard, v.verdict, v.units);
            _apply(s, l, sh, t);
            ++settled;
        }
        _flush(s);
        emit VerdictsSettled(root, settled, n - settled);
    }

    /// @inheritdoc IJobMarket
    function expire(uint256 jobId, uint32 shard) external nonReentrant {
        JobRecord storage job = _job(jobId);
        ShardRecord storage sh = _shard(jobId, shard);
        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        address operator = sh.operator;
        uint256 collateral = sh.collateral;
        if (sh.state == ShardState.Accepted) {
            if (block.timestamp <= job.deadline) revert MarketDeadlineNotPassed(jobId, job.deadline);
            // An unstarted gang's shards could not submit: no no-show slash, `releaseGang` instead.
            _requireGangStarted(jobId, job.gang);
            ShardTerms memory t = _terms[sh.termsId];
            sh.state = ShardState.Expired;
            _refund(job, shardValue);
            uint256 toSlash = (collateral * t.noShowSlashBps) / _BPS;
            uint256 slashed = staking.slash(operator, toSlash, collateral, job.developer, t.noShowDeveloperBps);
            _records[operator].noShows += 1;
            _records[operator].slashed += uint128(slashed);
            emit ShardExpired(jobId, shard, operator, true, slashed, shardValue);
        } else if (sh.state == ShardState.Submitted) {
            uint256 closesAt = uint256(sh.submittedAt) + _terms[sh.termsId].verifyWindow;
            if (block.timestamp <= closesAt) revert MarketVerifyWindowOpen(jobId, shard, closesAt);
            sh.state = ShardState.Expired;
            _refund(job, shardValue);
            emit ShardExpired(jobId, shard, operator, false, 0, shardValue);
            staking.unlockCollateral(operator, collateral);
        } else {
            revert MarketBadShardState(jobId, shard, sh.state);
        }
    }

    /// @inheritdoc IJobMarket
    function releaseGang(uint256 jobId) external nonReentrant returns (uint256 cancelled) {
        JobRecord storage job = _job(jobId);
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
            ShardRecord storage sh = _shards[jobId][i];
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
        _refund(job, refund);
        emit GangReleased(jobId, unlocked, refund);

        for (uint32 i = 0; i < unlocked; ++i) staking.unlockCollateral(operators[i], collaterals[i]);
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
            if (state == ShardState.Open || state == ShardState.Accepted || state == ShardState.Submitted) ++unsettled;
        }
        return _jobView(r, unsettled);
    }

    /// @dev The `Job` view of a record with `unsettled` shards in escrow.
    function _jobView(JobRecord storage r, uint256 unsettled) private view returns (Job memory) {
        return Job({
            developer: r.developer,
            deadline: r.deadline,
            shards: r.shards,
            paymentToken: r.paymentToken,
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
        ShardRecord storage sh = _shards[jobId][shard];
        return
            Shard({
                state: sh.state,
                operator: sh.operator,
                acceptedAt: sh.acceptedAt,
                submittedAt: sh.submittedAt,
                submittedBlock: sh.submittedBlock,
                units: sh.units,
                collateral: sh.collateral,
                resultRoot: sh.resultRoot,
                verifyWindow: _terms[sh.termsId].verifyWindow
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
        return _assigned[jobId][shard];
    }

    /// @inheritdoc IJobMarket
    function gangOf(uint256 jobId) external view returns (Gang memory) {
        return _gangs[jobId];
    }

    /// @inheritdoc IJobMarket
    function beaconOf(uint256 jobId, uint32 shard) external view returns (bytes32) {
        ShardRecord storage sh = _shards[jobId][shard];
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
                _tokens[job.paymentToken].rglPerToken
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
        if (!_tokens[p.paymentToken].allowed) revert MarketTokenNotAllowed(p.paymentToken);
        if (p.shards == 0 || p.shards > _MAX_SHARDS) revert MarketBadShardCount(p.shards);
        if (p.maxUnitsPerShard == 0 || p.maxPricePerUnit == 0) revert MarketZeroValue();
        if (p.deadline <= block.timestamp) revert MarketBadDeadline(p.deadline, block.timestamp);
        uint256 nOps = p.shardOperators.length;
        if (nOps != 0 && nOps != p.shards) revert MarketBadOperatorList(nOps, p.shards);
        uint256 escrow = MarketMath.shardValue(p.maxUnitsPerShard, p.maxPricePerUnit) * p.shards;

        jobId = ++_jobCount;
        JobRecord memory r = JobRecord({
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
            gang: acceptDeadline != 0
        });
        _jobs[jobId] = r;
        // Shards start Open (state 0) without a write; only assignments are stored.
        for (uint32 i = 0; i < nOps; ++i) {
            if (p.shardOperators[i] != address(0)) {
                _assigned[jobId][i] = p.shardOperators[i];
                emit ShardAssigned(jobId, i, p.shardOperators[i]);
            }
        }
        Book storage book = _books[p.paymentToken];
        book.escrow = SafeCast.toUint128(book.escrow + escrow);
        emit JobCreated(jobId, msg.sender, p.paymentToken, _jobView(_jobs[jobId], p.shards), p.specHash, p.specURI);
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

    function _accept(uint256 jobId, uint32 shard) private {
        JobRecord storage job = _job(jobId);
        ShardRecord storage sh = _shardIn(jobId, shard, ShardState.Open);
        if (block.timestamp >= job.deadline) revert MarketDeadlinePassed(jobId, job.deadline);
        _checkAssigned(jobId, shard);
        Gang storage gang = _gangs[jobId];
        uint64 acceptDeadline = job.gang ? gang.acceptDeadline : 0;
        if (acceptDeadline != 0 && block.timestamp >= acceptDeadline) {
            revert MarketGangAcceptClosed(jobId, acceptDeadline);
        }
        (uint256 collateral, uint32 termsId) = _collateralAndTerms(job);
        _checkEligible(job, msg.sender, collateral);

        sh.operator = msg.sender;
        sh.state = ShardState.Accepted;
        sh.acceptedAt = uint40(block.timestamp);
        sh.collateral = SafeCast.toUint96(collateral);
        sh.termsId = termsId;
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
        ShardRecord storage sh = _shardIn(jobId, shard, ShardState.Accepted);
        if (msg.sender != sh.operator) revert MarketNotShardOperator(msg.sender, sh.operator);
        if (block.timestamp > job.deadline) revert MarketDeadlinePassed(jobId, job.deadline);
        _requireGangStarted(jobId, job.gang);
        _checkSubmission(job, units, resultRoot);

        sh.state = ShardState.Submitted;
        sh.submittedAt = uint40(block.timestamp);
        sh.submittedBlock = uint40(block.number);
        sh.units = units;
        sh.resultRoot = resultRoot;
        emit ShardSubmitted(jobId, shard, msg.sender, resultRoot, units, uint64(block.number), resultURI);
    }

    function _checkSubmission(JobRecord storage job, uint64 units, bytes32 resultRoot) private view {
        if (units == 0 || units > job.maxUnitsPerShard) revert MarketBadUnits(units, job.maxUnitsPerShard);
        if (resultRoot == bytes32(0)) revert MarketZeroRoot();
    }

    function _checkAssigned(uint256 jobId, uint32 shard) private view {
        address assigned = _assigned[jobId][shard];
        if (assigned != address(0) && assigned != msg.sender) revert MarketOperatorNotAllowed(jobId, shard, msg.sender);
    }

    /// @dev The collateral a shard of `job` locks now and the id of the terms it is accepted under,
    /// recording new terms after a parameter or rate change (PROTOCOL §20.2).
    function _collateralAndTerms(JobRecord storage job) private returns (uint256 collateral, uint32 termsId) {
        address token = job.paymentToken;
        TokenState storage ts = _tokens[token];
        uint128 rate = ts.rglPerToken;
        if (rate == 0) revert MarketBadParam("rglPerToken", 0);
        ParamsRecord storage p = _params;
        collateral = MarketMath.collateral(
            MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit),
            p.collateralRatioBps,
            rate
        );
        termsId = ts.termsId;
        uint32 nonce = p.nonce;
        if (termsId != 0 && ts.paramsNonce == nonce) return (collateral, termsId);
        termsId = ++_termsCount;
        ShardTerms memory t = ShardTerms({
            feeBps: p.feeBps,
            verifyWindow: p.verifyWindow,
            invalidSlashBps: p.invalidSlashBps,
            invalidDeveloperBps: p.invalidDeveloperBps,
            noShowSlashBps: p.noShowSlashBps,
            noShowDeveloperBps: p.noShowDeveloperBps,
            rglPerToken: rate
        });
        _terms[termsId] = t;
        ts.termsId = termsId;
        ts.paramsNonce = nonce;
        emit ShardTermsRecorded(termsId, token, t);
    }

    // ---------------------------------------------------------------- internals: settlement

    /// @dev Applies one checked verdict (1–3) to a Submitted shard: its effects and event now, its
    /// credits and collateral into the runs of `s` (PROTOCOL §9.3, §20.4).
    function _apply(Settlement memory s, Leaf memory l, ShardRecord storage sh, ShardTerms memory t) private {
        JobRecord storage job = _jobs[l.jobId];
        address token = job.paymentToken;
        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        if (s.token != token) _flushToken(s, token);
        s.released += shardValue;
        if (l.verdict == uint8(IOracleCommittee.Verdict.Invalid)) {
            _applyInvalid(s, l, sh, t, job, shardValue);
        } else {
            uint64 submitted = sh.units;
            if (l.units > submitted) l.units = submitted;
            (l.pay, l.fee, l.refund) = MarketMath.payment(l.units, job.maxPricePerUnit, shardValue, t.feeBps);
            _applyPaid(s, l, sh, t, token);
            if (l.refund > 0) _creditDeveloper(s, job.developer, token, l.refund);
        }
    }

    /// @dev Valid or DeveloperFault: the operator is credited `pay − fee` and its collateral unlocked;
    /// Valid also earns the fee's RGL value as work points (PROTOCOL §9.3, §18.2).
    function _applyPaid(
        Settlement memory s,
        Leaf memory l,
        ShardRecord storage sh,
        ShardTerms memory t,
        address token
    ) private {
        address operator = sh.operator;
        if (s.op != operator || s.opToken != token) _flushOperator(s, operator, token);
        uint256 paid = l.pay - l.fee;
        s.opPaid += paid;
        s.opUnlock += sh.collateral;
        s.credited += paid;
        s.fee += l.fee;
        if (l.verdict == uint8(IOracleCommittee.Verdict.Valid)) {
            sh.state = ShardState.Settled;
            uint256 points = MarketMath.toRgl(l.fee, t.rglPerToken);
            if (points > 0) {
                s.opPoints += points;
                ++s.opPointShards;
            }
            ++s.opSettled;
            emit ShardSettled(l.jobId, l.shard, operator, l.units, paid, l.fee, l.refund, points);
        } else {
            sh.state = ShardState.DeveloperFault;
            emit ShardDeveloperFault(l.jobId, l.shard, operator, l.units, paid, l.fee, l.refund);
        }
    }

    /// @dev Invalid: Failed, the collateral slashed (the operator's earlier unlocks and credits of
    /// this batch written first, as one by one), the developer credited the shard's whole value.
    function _applyInvalid(
        Settlement memory s,
        Leaf memory l,
        ShardRecord storage sh,
        ShardTerms memory t,
        JobRecord storage job,
        uint256 shardValue
    ) private {
        address operator = sh.operator;
        uint256 collateral = sh.collateral;
        sh.state = ShardState.Failed;
        if (s.op == operator) _flushOperator(s, address(0), address(0));
        uint256 slashed = staking.slash(
            operator,
            (collateral * t.invalidSlashBps) / _BPS,
            collateral,
            job.developer,
            t.invalidDeveloperBps
        );
        OperatorRecord storage rec = _records[operator];
        rec.failed += 1;
        rec.slashed += uint128(slashed);
        emit ShardFailed(l.jobId, l.shard, operator, slashed, shardValue);
        _creditDeveloper(s, job.developer, job.paymentToken, shardValue);
    }

    function _creditDeveloper(Settlement memory s, address developer, address token, uint256 amount) private {
        if (s.dev != developer || s.devToken != token) {
            if (s.devCredit > 0) _owed[s.devToken][s.dev] += s.devCredit;
            s.dev = developer;
            s.devToken = token;
            s.devCredit = 0;
        }
        s.devCredit += amount;
        s.credited += amount;
    }

    /// @dev Writes the operator run of `s` (credit, counters, unlock, work points) and starts a run of
    /// (`operator`, `token`).
    function _flushOperator(Settlement memory s, address operator, address token) private {
        address op = s.op;
        if (op != address(0)) {
            if (s.opPaid > 0) _owed[s.opToken][op] += s.opPaid;
            if (s.opSettled > 0) _records[op].settled += s.opSettled;
            uint256 unlock = s.opUnlock;
            uint256 points = s.opPoints;
            uint32 pointShards = s.opPointShards;
            s.opPaid = 0;
            s.opUnlock = 0;
            s.opPoints = 0;
            s.opPointShards = 0;
            s.opSettled = 0;
            staking.unlockCollateral(op, unlock);
            if (points > 0) rewards.creditWorkBatch(op, points, pointShards);
        }
        s.op = operator;
        s.opToken = token;
    }

    /// @dev Writes the token run of `s` (escrow released, credits, fee) and starts a run of `token`.
    function _flushToken(Settlement memory s, address token) private {
        address t = s.token;
        if (t != address(0)) {
            uint256 fee = s.fee;
            Book storage book = _books[t];
            bool burn = t == address(rgl);
            uint256 credited = burn ? s.credited : s.credited + fee;
            book.escrow -= SafeCast.toUint128(s.released);
            book.owed += SafeCast.toUint128(credited);
            s.released = 0;
            s.credited = 0;
            s.fee = 0;
            if (fee > 0) {
                if (burn) {
                    emit FeeCollected(t, address(0), fee, true);
                    rgl.burn(fee);
                } else {
                    address treasury = _params.treasury;
                    _owed[t][treasury] += fee;
                    emit FeeCollected(t, treasury, fee, false);
                }
            }
        }
        s.token = token;
    }

    /// @dev Writes every open run of `s`.
    function _flush(Settlement memory s) private {
        _flushOperator(s, address(0), address(0));
        if (s.devCredit > 0) _owed[s.devToken][s.dev] += s.devCredit;
        _flushToken(s, address(0));
    }

    // ---------------------------------------------------------------- internals: money

    /// @dev Moves `amount` of the job's escrow to the developer's credit.
    function _refund(JobRecord storage job, uint256 amount) private {
        if (amount == 0) return;
        address token = job.paymentToken;
        Book storage book = _books[token];
        uint128 a = SafeCast.toUint128(amount);
        book.escrow -= a;
        book.owed += a;
        _owed[token][job.developer] += amount;
    }

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
        if (p.verifyWindow == 0 || p.verifyWindow > type(uint32).max) revert MarketBadParam("verifyWindow", p.verifyWindow);
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

    function _requireGangStarted(uint256 jobId, bool gang) private view {
        if (gang && _gangs[jobId].startedAt == 0) revert MarketGangNotStarted(jobId);
    }

    function _job(uint256 jobId) private view returns (JobRecord storage job) {
        job = _jobs[jobId];
        if (job.developer == address(0)) revert MarketUnknownJob(jobId);
    }

    function _shard(uint256 jobId, uint32 shard) private view returns (ShardRecord storage) {
        if (shard >= _jobs[jobId].shards) revert MarketUnknownShard(jobId, shard);
        return _shards[jobId][shard];
    }

    function _shardIn(uint256 jobId, uint32 shard, ShardState want) private view returns (ShardRecord storage sh) {
        sh = _shard(jobId, shard);
        if (sh.state != want) revert MarketBadShardState(jobId, shard, sh.state);
    }
}
