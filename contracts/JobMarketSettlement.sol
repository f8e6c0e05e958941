// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IComputeToken} from "./interfaces/IComputeToken.sol";
import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {IOracleCommittee} from "./interfaces/IOracleCommittee.sol";
import {IRewardsDistributor} from "./interfaces/IRewardsDistributor.sol";
import {IStakingHooks} from "./interfaces/IStakingHooks.sol";
import {MarketMath} from "./libraries/MarketMath.sol";
import {ShardTransitions} from "./libraries/ShardTransitions.sol";
import {VerdictTree} from "./libraries/VerdictTree.sol";
import {JobMarketStorage} from "./JobMarketStorage.sol";

/// @title JobMarketSettlement
/// @notice The JobMarket's exits (settle, settleVerdicts, expire, releaseGang), deployed by the
/// market's constructor and run only by delegatecall from it, in its storage: the market stays under
/// the 24,576-byte code limit. Documented in IJobMarket; the market guards reentrancy.
contract JobMarketSettlement is JobMarketStorage {
    using ShardTransitions for ShardTransitions.Record;

    /// @notice Called directly, not through the market's delegatecall.
    error SettlementNotDelegated();

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
        address operator;
        uint8 verdict;
        uint64 units;
        uint256 pay;
        uint256 fee;
        uint256 refund;
    }

    /// @dev What the leaves of one job under one terms id share, read once per run of such leaves:
    /// the job's developer, token, price, shard value and the shards' collateral.
    struct JobCtx {
        uint256 jobId;
        uint32 termsId;
        address developer;
        address token;
        uint96 price;
        uint256 shardValue;
        uint256 collateral;
    }

    IComputeToken private immutable _rgl;
    IStakingHooks private immutable _staking;
    IOracleCommittee private immutable _committee;
    IRewardsDistributor private immutable _rewards;
    address private immutable _self;

    /// @param rgl_ The RGL token.
    /// @param staking_ OperatorStaking.
    /// @param committee_ The oracle _committee.
    /// @param rewards_ The rewards distributor.
    constructor(IComputeToken rgl_, IStakingHooks staking_, IOracleCommittee committee_, IRewardsDistributor rewards_) {
        _rgl = rgl_;
        _staking = staking_;
        _committee = committee_;
        _rewards = rewards_;
        _self = address(this);
    }

    modifier onlyDelegated() {
        if (address(this) == _self) revert SettlementNotDelegated();
        _;
    }

    /// @notice See IJobMarket.
    function settle(IOracleCommittee.ShardAttestation calldata a, bytes[] calldata signatures) external onlyDelegated {
        ShardTransitions.Record storage sh = _shard(a.jobId, a.shard);
        uint256 w = sh.word();
        bool claimed = ShardTransitions.stateOf(w) == IJobMarket.ShardState.Open;
        if (a.market != address(this)) revert IJobMarket.MarketAttestationMismatch(a.jobId, a.shard);
        if (claimed) {
            // An assigned shard settled from Open on a Valid verdict (PROTOCOL §20.10).
            uint8 reason;
            (reason, w) = _claim(a.jobId, _operatorIds[a.operator], a.resultRoot, a.verdict, a.units, w);
            if (reason != ShardTransitions.APPLY) revert IJobMarket.MarketClaimNotSettleable(a.jobId, a.shard, reason);
        } else {
            if (ShardTransitions.stateOf(w) != IJobMarket.ShardState.Submitted) {
                revert IJobMarket.MarketBadShardState(a.jobId, a.shard, ShardTransitions.stateOf(w));
            }
            if (
                _operatorIds[a.operator] != ShardTransitions.operatorIdOf(w) ||
                a.resultRoot != sh.resultRoot ||
                a.verdict == uint8(IOracleCommittee.Verdict.None) ||
                a.verdict > uint8(IOracleCommittee.Verdict.DeveloperFault)
            ) revert IJobMarket.MarketAttestationMismatch(a.jobId, a.shard);
        }
        if (a.expiry < block.timestamp) revert IJobMarket.MarketAttestationExpired(a.expiry, block.timestamp);
        uint32 termsId = ShardTransitions.termsIdOf(w);
        IJobMarket.ShardTerms memory t = _terms[termsId];
        if (!claimed) {
            uint256 closesAt = sh.closesAt(t.verifyWindow);
            if (block.timestamp > closesAt) revert IJobMarket.MarketVerifyWindowClosed(a.jobId, a.shard, closesAt);
        }
        _committee.verifyShardAttestation(a, signatures);

        Settlement memory s;
        JobCtx memory c;
        _loadJob(c, a.jobId, termsId, t);
        // A claim locked no collateral: nothing to unlock (PROTOCOL §20.10).
        if (claimed) c.collateral = 0;
        Leaf memory item = Leaf(a.jobId, a.shard, a.operator, a.verdict, a.units, 0, 0, 0);
        if (claimed) _emitClaimed(item, a.resultRoot);
        _apply(s, item, c, t, sh, w);
        _flush(s);
    }

    /// @notice See IJobMarket.
    function settleVerdicts(
        IOracleCommittee.VerdictBatch calldata batch,
        bytes[] calldata signatures,
        IOracleCommittee.ShardVerdict[] calldata verdicts
    ) external onlyDelegated returns (uint256 settled) {
        uint256 n = verdicts.length;
        if (n == 0 || n != batch.count) revert IJobMarket.MarketLengthMismatch(batch.count, n);
        if (batch.market != address(this)) revert IJobMarket.MarketWrongMarket(batch.market);
        if (batch.expiry < block.timestamp) revert IJobMarket.MarketAttestationExpired(batch.expiry, block.timestamp);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) leaves[i] = VerdictTree.leaf(verdicts[i]);
        bytes32 root = VerdictTree.rootInPlace(leaves);
        if (root != batch.verdictsRoot) revert IJobMarket.MarketVerdictsRootMismatch(batch.verdictsRoot, root);
        _committee.verifyVerdictBatch(batch, signatures);

        Settlement memory s;
        settled = _applyLeaves(s, verdicts);
        _flush(s);
        emit IJobMarket.VerdictsSettled(root, settled, n - settled);
    }

    /// @dev Applies every leaf of a checked batch (skipping stale ones) into `s`; returns how many. An
    /// Open shard's leaf is checked as a claim (PROTOCOL §20.10), any other as a Submitted shard's.
    function _applyLeaves(
        Settlement memory s,
        IOracleCommittee.ShardVerdict[] calldata verdicts
    ) private returns (uint256 settled) {
        Leaf memory item;
        // The previous leaf's terms, job and operator id are read again only when they change (terms
        // id 0 is never recorded: its terms are the zero struct `t` starts as).
        IJobMarket.ShardTerms memory t;
        JobCtx memory c;
        uint32 termsId = 0;
        uint32 lastOpId = 0;
        uint256 n = verdicts.length;
        for (uint256 i = 0; i < n; ++i) {
            IOracleCommittee.ShardVerdict calldata v = verdicts[i];
            item.jobId = v.jobId;
            item.shard = v.shard;
            ShardTransitions.Record storage sh = _shards[item.jobId][item.shard];
            // An index at or past the job's shard count (or an unknown job) reads as Open: skipped.
            uint256 w = sh.word();
            {
                uint32 id = ShardTransitions.termsIdOf(w);
                if (id != termsId) {
                    t = _terms[id];
                    termsId = id;
                }
            }
            if (v.operator != item.operator) {
                item.operator = v.operator;
                lastOpId = _operatorIds[v.operator];
            }
            uint8 reason = sh.skipReasonWord(w, lastOpId, v.resultRoot, v.verdict, t.verifyWindow);
            if (reason != ShardTransitions.APPLY) {
                if (ShardTransitions.stateOf(w) != IJobMarket.ShardState.Open) {
                    emit IJobMarket.VerdictSkipped(item.jobId, item.shard, reason);
                } else if (_applyClaim(s, item, c, v, lastOpId, sh, w)) {
                    ++settled;
                }
                continue;
            }
            if (item.jobId != c.jobId || termsId != c.termsId) _loadJob(c, item.jobId, termsId, t);
            item.verdict = v.verdict;
            item.units = v.units;
            _apply(s, item, c, t, sh, w);
            unchecked {
                ++settled;
            }
        }
    }

    /// @dev A batch leaf on an Open shard (`w`): applied as a claim (PROTOCOL §20.10), or skipped with
    /// its reason. `c` is left describing no job (the next leaf reads its own), since a claim's has no
    /// collateral to unlock.
    function _applyClaim(
        Settlement memory s,
        Leaf memory item,
        JobCtx memory c,
        IOracleCommittee.ShardVerdict calldata v,
        uint32 opId,
        ShardTransitions.Record storage sh,
        uint256 w
    ) private returns (bool) {
        (uint8 reason, uint256 next) = _claim(item.jobId, opId, v.resultRoot, v.verdict, v.units, w);
        if (reason != ShardTransitions.APPLY) {
            emit IJobMarket.VerdictSkipped(item.jobId, item.shard, reason);
            return false;
        }
        uint32 termsId = ShardTransitions.termsIdOf(next);
        IJobMarket.ShardTerms memory t = _terms[termsId];
        _loadJob(c, item.jobId, termsId, t);
        c.collateral = 0;
        c.jobId = 0;
        item.verdict = v.verdict;
        item.units = v.units;
        _emitClaimed(item, v.resultRoot);
        _apply(s, item, c, t, sh, next);
        return true;
    }

    /// @notice See IJobMarket.
    function expire(uint256 jobId, uint32 shard) external onlyDelegated {
        JobRecord storage job = _job(jobId);
        ShardTransitions.Record storage sh = _shard(jobId, shard);
        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        address operator = _operatorById[sh.operatorId];
        IJobMarket.ShardTerms memory t = _terms[sh.termsId];
        uint256 collateral = _collateralOf(job, t);
        if (sh.state == IJobMarket.ShardState.Accepted) {
            if (block.timestamp <= job.deadline) revert IJobMarket.MarketDeadlineNotPassed(jobId, job.deadline);
            // An unstarted gang's shards could not submit: no no-show slash, `releaseGang` instead.
            _requireGangStarted(jobId, job.gang);
            sh.close(IJobMarket.ShardState.Expired);
            _refund(job, shardValue);
            uint256 toSlash = (collateral * t.noShowSlashBps) / _BPS;
            uint256 slashed = _staking.slash(operator, toSlash, collateral, job.developer, t.noShowDeveloperBps);
            _records[operator].noShows += 1;
            _records[operator].slashed += uint128(slashed);
            emit IJobMarket.ShardExpired(jobId, shard, operator, true, slashed, shardValue);
        } else if (sh.state == IJobMarket.ShardState.Submitted) {
            uint256 closesAt = sh.closesAt(t.verifyWindow);
            if (block.timestamp <= closesAt) revert IJobMarket.MarketVerifyWindowOpen(jobId, shard, closesAt);
            sh.close(IJobMarket.ShardState.Expired);
            _refund(job, shardValue);
            emit IJobMarket.ShardExpired(jobId, shard, operator, false, 0, shardValue);
            _staking.unlockCollateral(operator, collateral);
        } else {
            revert IJobMarket.MarketBadShardState(jobId, shard, sh.state);
        }
    }

    /// @notice See IJobMarket.
    function releaseGang(uint256 jobId) external onlyDelegated returns (uint256 cancelled) {
        JobRecord storage job = _job(jobId);
        IJobMarket.Gang storage gang = _gangs[jobId];
        uint64 acceptDeadline = gang.acceptDeadline;
        if (acceptDeadline == 0) revert IJobMarket.MarketNotGang(jobId);
        if (gang.startedAt != 0) revert IJobMarket.MarketGangStarted(jobId, gang.startedAt);
        if (gang.released) revert IJobMarket.MarketGangAlreadyReleased(jobId);
        if (block.timestamp < acceptDeadline) revert IJobMarket.MarketGangAcceptOpen(jobId, acceptDeadline);

        uint256 shardValue = MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit);
        uint32 n = job.shards;
        address[] memory operators = new address[](gang.accepted);
        uint256[] memory collaterals = new uint256[](gang.accepted);
        uint32 unlocked = 0;
        // Bounded by the job's shard count (≤ 64). An unstarted gang has only Open, Accepted and
        // Cancelled shards: nothing can submit before the start.
        for (uint32 i = 0; i < n; ++i) {
            ShardTransitions.Record storage sh = _shards[jobId][i];
            IJobMarket.ShardState state = sh.state;
            if (state == IJobMarket.ShardState.Accepted) {
                operators[unlocked] = _operatorById[sh.operatorId];
                collaterals[unlocked] = _collateralOf(job, _terms[sh.termsId]);
                ++unlocked;
            } else if (state != IJobMarket.ShardState.Open) {
                continue;
            }
            sh.close(IJobMarket.ShardState.Cancelled);
            ++cancelled;
            emit IJobMarket.ShardCancelled(jobId, i, shardValue);
        }
        uint256 refund = shardValue * cancelled;
        gang.released = true;
        _refund(job, refund);
        emit IJobMarket.GangReleased(jobId, unlocked, refund);

        for (uint32 i = 0; i < unlocked; ++i) _staking.unlockCollateral(operators[i], collaterals[i]);
    }

    // ---------------------------------------------------------------- internals: settlement

    /// @dev Whether a verdict on an Open shard (slot 0 `w`) settles it as a claim (PROTOCOL §20.10):
    /// Valid, the shard assigned to operator id `opId` (so the index is the job's and the job has an
    /// operator list), not a gang, before the deadline, `0 < units ≤ maxUnitsPerShard` and a non-zero
    /// root. Returns `APPLY` and the shard's Submitted word to close (terms
    /// recorded now if the parameters changed); `SKIP_STATE` for a shard without an assignment (or an
    /// unknown one); else `SKIP_CLAIM`.
    function _claim(
        uint256 jobId,
        uint32 opId,
        bytes32 resultRoot,
        uint8 verdict,
        uint64 units,
        uint256 w
    ) private returns (uint8 reason, uint256 next) {
        // Not assigned (or not a shard of a job: an unknown index reads as zero): not Submitted.
        if (ShardTransitions.operatorIdOf(w) == 0) return (ShardTransitions.SKIP_STATE, w);
        if (
            verdict != uint8(IOracleCommittee.Verdict.Valid) ||
            opId == 0 ||
            ShardTransitions.operatorIdOf(w) != opId ||
            resultRoot == bytes32(0) ||
            units == 0
        ) return (ShardTransitions.SKIP_CLAIM, w);
        JobRecord storage job = _jobs[jobId];
        if (job.gang || block.timestamp >= job.deadline || units > job.maxUnitsPerShard) {
            return (ShardTransitions.SKIP_CLAIM, w);
        }
        // A job's token has a rate for good: allowing needs one, disallowing keeps it (§20.2).
        address token = _tokenById[job.tokenId];
        return (
            ShardTransitions.APPLY,
            ShardTransitions.claimWord(opId, _currentTermsId(token, _tokens[token]), units)
        );
    }

    /// @dev What accept and submit would have said of a claimed shard, in its settlement's block: no
    /// collateral, no result URI (PROTOCOL §20.10).
    function _emitClaimed(Leaf memory item, bytes32 resultRoot) private {
        emit IJobMarket.ShardAccepted(item.jobId, item.shard, item.operator, 0);
        emit IJobMarket.ShardSubmitted(
            item.jobId,
            item.shard,
            item.operator,
            resultRoot,
            item.units,
            uint64(block.number),
            ""
        );
    }

    /// @dev Reads into `c` what leaves of job `jobId` under terms `termsId` (`t`) share.
    function _loadJob(JobCtx memory c, uint256 jobId, uint32 termsId, IJobMarket.ShardTerms memory t) private view {
        JobRecord storage job = _jobs[jobId];
        c.jobId = jobId;
        c.termsId = termsId;
        c.developer = job.developer;
        c.token = _tokenById[job.tokenId];
        c.price = job.maxPricePerUnit;
        c.shardValue = MarketMath.shardValue(job.maxUnitsPerShard, c.price);
        c.collateral = MarketMath.collateral(c.shardValue, t.collateralRatioBps, t.rglPerToken);
    }

    /// @dev Applies one checked verdict (1–3) to a Submitted shard whose slot 0 reads `w`: its effects
    /// and event now, its credits and collateral into the runs of `s` (PROTOCOL §9.3, §20.4).
    function _apply(
        Settlement memory s,
        Leaf memory item,
        JobCtx memory c,
        IJobMarket.ShardTerms memory t,
        ShardTransitions.Record storage sh,
        uint256 w
    ) private {
        if (s.token != c.token) _flushToken(s, c.token);
        // At most the token's escrow (128 bits).
        unchecked {
            s.released += c.shardValue;
        }
        if (item.verdict == uint8(IOracleCommittee.Verdict.Invalid)) {
            _applyInvalid(s, item, c, t, sh, w);
        } else {
            uint64 submitted = ShardTransitions.unitsOf(w);
            if (item.units > submitted) item.units = submitted;
            (item.pay, item.fee, item.refund) = MarketMath.payment(item.units, c.price, c.shardValue, t.feeBps);
            _applyPaid(s, item, c, t, sh, w);
            if (item.refund > 0) _creditDeveloper(s, c.developer, c.token, item.refund);
        }
    }

    /// @dev Valid or DeveloperFault: the operator is credited `pay − fee` and its collateral unlocked;
    /// Valid also earns the fee's RGL value as work points (PROTOCOL §9.3, §18.2).
    function _applyPaid(
        Settlement memory s,
        Leaf memory item,
        JobCtx memory c,
        IJobMarket.ShardTerms memory t,
        ShardTransitions.Record storage sh,
        uint256 w
    ) private {
        address operator = item.operator;
        if (s.op != operator || s.opToken != c.token) _flushOperator(s, operator, c.token);
        uint256 paid = item.pay - item.fee;
        // Sums of escrowed amounts (each book fits 128 bits) and of collateral locked in staking.
        unchecked {
            s.opPaid += paid;
            s.opUnlock += c.collateral;
            s.credited += paid;
            s.fee += item.fee;
        }
        if (item.verdict == uint8(IOracleCommittee.Verdict.Valid)) {
            sh.closeWord(w, IJobMarket.ShardState.Settled);
            uint256 points = MarketMath.toRgl(item.fee, t.rglPerToken);
            // Counts bounded by the batch's length; points by the fees' RGL value.
            unchecked {
                if (points > 0) {
                    s.opPoints += points;
                    ++s.opPointShards;
                }
                ++s.opSettled;
            }
            emit IJobMarket.ShardSettled(
                item.jobId,
                item.shard,
                operator,
                item.units,
                paid,
                item.fee,
                item.refund,
                points
            );
        } else {
            sh.closeWord(w, IJobMarket.ShardState.DeveloperFault);
            emit IJobMarket.ShardDeveloperFault(
                item.jobId,
                item.shard,
                operator,
                item.units,
                paid,
                item.fee,
                item.refund
            );
        }
    }

    /// @dev Invalid: Failed, the collateral slashed (the operator's earlier unlocks and credits of
    /// this batch written first, as one by one), the developer credited the shard's whole value.
    function _applyInvalid(
        Settlement memory s,
        Leaf memory item,
        JobCtx memory c,
        IJobMarket.ShardTerms memory t,
        ShardTransitions.Record storage sh,
        uint256 w
    ) private {
        address operator = item.operator;
        uint256 collateral = c.collateral;
        sh.closeWord(w, IJobMarket.ShardState.Failed);
        if (s.op == operator) _flushOperator(s, address(0), address(0));
        uint256 slashed = _staking.slash(
            operator,
            (collateral * t.invalidSlashBps) / _BPS,
            collateral,
            c.developer,
            t.invalidDeveloperBps
        );
        IJobMarket.OperatorRecord storage rec = _records[operator];
        rec.failed += 1;
        rec.slashed += uint128(slashed);
        emit IJobMarket.ShardFailed(item.jobId, item.shard, operator, slashed, c.shardValue);
        _creditDeveloper(s, c.developer, c.token, c.shardValue);
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
            // A run of claims only (PROTOCOL §20.10) locked nothing: no call.
            if (unlock > 0) _staking.unlockCollateral(op, unlock);
            if (points > 0) _rewards.creditWorkBatch(op, points, pointShards);
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
            bool burn = t == address(_rgl);
            uint256 credited = burn ? s.credited : s.credited + fee;
            book.escrow -= SafeCast.toUint128(s.released);
            book.owed += SafeCast.toUint128(credited);
            s.released = 0;
            s.credited = 0;
            s.fee = 0;
            if (fee > 0) {
                if (burn) {
                    emit IJobMarket.FeeCollected(t, address(0), fee, true);
                    _rgl.burn(fee);
                } else {
                    address treasury = _params.treasury;
                    _owed[t][treasury] += fee;
                    emit IJobMarket.FeeCollected(t, treasury, fee, false);
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
}
