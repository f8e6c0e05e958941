// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {MarketMath} from "./libraries/MarketMath.sol";
import {ShardTransitions} from "./libraries/ShardTransitions.sol";

/// @title JobMarketStorage
/// @notice The JobMarket's records and state, shared by the market and its settlement module (which
/// runs by delegatecall in the market's storage): both inherit this contract FIRST, so every
/// variable has the same slot in both (PROTOCOL §20.3).
// One storage layout for the market and its module by design (PROTOCOL §20.3).
// solhint-disable-next-line max-states-count
abstract contract JobMarketStorage {
    uint16 internal constant _BPS = 10_000;

    /// @dev A job as stored: two slots, what accept and settlement read (PROTOCOL §20.3). Slot 0:
    /// developer, deadline, shard count, kind, mode, flags and the payment token's id; slot 1: the
    /// price, max units and the operator requirements. `assigned`: created with an operator list (only
    /// then are `_assigned` entries read). Prices fit 96 bits and deadlines 40 bits (checked at
    /// creation); the token is its allowlist id (`_tokenById`).
    struct JobRecord {
        address developer;
        uint40 deadline;
        uint8 shards;
        IJobMarket.JobKind kind;
        uint8 verificationMode;
        bool gang;
        bool assigned;
        uint16 tokenId;
        uint96 maxPricePerUnit;
        uint64 maxUnitsPerShard;
        uint32 minVramMiB;
        uint64 minOpsPerSec;
    }

    /// @dev A payment token's entry and the id of the terms its next shards are accepted under
    /// (valid while `paramsNonce` is the parameters' nonce).
    /// `id`: its number in `_tokenById` (given on its first `setPaymentToken`, never reused).
    struct TokenState {
        bool allowed;
        uint128 rglPerToken;
        uint32 termsId;
        uint32 paramsNonce;
        uint16 id;
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

    ParamsRecord internal _params;
    uint256 internal _jobCount;
    uint32 internal _termsCount;
    mapping(uint256 jobId => JobRecord) internal _jobs;
    mapping(uint256 jobId => mapping(uint32 shard => ShardTransitions.Record)) internal _shards;
    mapping(address token => TokenState) internal _tokens;
    mapping(address token => Book) internal _books;
    mapping(address token => mapping(address account => uint256)) internal _owed;
    mapping(uint32 termsId => IJobMarket.ShardTerms) internal _terms;
    mapping(address operator => IJobMarket.OperatorRecord) internal _records;
    mapping(uint256 jobId => IJobMarket.Gang) internal _gangs;
    uint16 internal _tokenCount;
    uint32 internal _operatorCount;
    mapping(uint16 id => address token) internal _tokenById;
    mapping(address operator => uint32 id) internal _operatorIds;
    mapping(uint32 id => address operator) internal _operatorById;
    uint32 internal _assignGrace;

    // ---------------------------------------------------------------- shared internals

    /// @dev The operator's market id, given on its first accept, assignment or claim (PROTOCOL §20.3).
    function _operatorIdOf(address operator) internal returns (uint32 id) {
        id = _operatorIds[operator];
        if (id != 0) return id;
        id = ++_operatorCount;
        _operatorIds[operator] = id;
        _operatorById[id] = operator;
        emit IJobMarket.OperatorIdAssigned(operator, id);
    }

    /// @dev The id of the terms a shard of `token` (entry `ts`) is taken under now, recording new
    /// terms after a parameter or rate change (PROTOCOL §20.2).
    function _currentTermsId(address token, TokenState storage ts) internal returns (uint32 termsId) {
        ParamsRecord storage p = _params;
        termsId = ts.termsId;
        uint32 nonce = p.nonce;
        if (termsId != 0 && ts.paramsNonce == nonce) return termsId;
        termsId = ++_termsCount;
        IJobMarket.ShardTerms memory t = IJobMarket.ShardTerms({
            feeBps: p.feeBps,
            verifyWindow: p.verifyWindow,
            invalidSlashBps: p.invalidSlashBps,
            invalidDeveloperBps: p.invalidDeveloperBps,
            noShowSlashBps: p.noShowSlashBps,
            noShowDeveloperBps: p.noShowDeveloperBps,
            rglPerToken: ts.rglPerToken,
            collateralRatioBps: p.collateralRatioBps
        });
        _terms[termsId] = t;
        ts.termsId = termsId;
        ts.paramsNonce = nonce;
        emit IJobMarket.ShardTermsRecorded(termsId, token, t);
    }

    /// @dev Moves `amount` of the job's escrow to the developer's credit.
    function _refund(JobRecord storage job, uint256 amount) internal {
        if (amount == 0) return;
        address token = _tokenById[job.tokenId];
        Book storage book = _books[token];
        uint128 a = SafeCast.toUint128(amount);
        book.escrow -= a;
        book.owed += a;
        _owed[token][job.developer] += amount;
    }

    /// @dev A shard's collateral under its terms: derived, not stored (PROTOCOL §20.2).
    function _collateralOf(JobRecord storage job, IJobMarket.ShardTerms memory t) internal view returns (uint256) {
        return
            MarketMath.collateral(
                MarketMath.shardValue(job.maxUnitsPerShard, job.maxPricePerUnit),
                t.collateralRatioBps,
                t.rglPerToken
            );
    }

    function _requireGangStarted(uint256 jobId, bool gang) internal view {
        if (gang && _gangs[jobId].startedAt == 0) revert IJobMarket.MarketGangNotStarted(jobId);
    }

    function _job(uint256 jobId) internal view returns (JobRecord storage job) {
        job = _jobs[jobId];
        if (job.developer == address(0)) revert IJobMarket.MarketUnknownJob(jobId);
    }

    function _shard(uint256 jobId, uint32 shard) internal view returns (ShardTransitions.Record storage) {
        if (shard >= _jobs[jobId].shards) revert IJobMarket.MarketUnknownShard(jobId, shard);
        return _shards[jobId][shard];
    }

    function _shardIn(
        uint256 jobId,
        uint32 shard,
        IJobMarket.ShardState want
    ) internal view returns (ShardTransitions.Record storage sh) {
        sh = _shard(jobId, shard);
        if (sh.state != want) revert IJobMarket.MarketBadShardState(jobId, shard, sh.state);
    }
}
