// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {ShardTransitions} from "./libraries/ShardTransitions.sol";

/// @title JobMarketStorage
/// @notice The JobMarket's records and state, shared by the market and its settlement module (which
/// runs by delegatecall in the market's storage): both inherit this contract FIRST, so every
/// variable has the same slot in both (PROTOCOL §20.3).
abstract contract JobMarketStorage {
    uint16 internal constant _BPS = 10_000;

    /// @dev A job as stored: three slots, what accept and settlement read (PROTOCOL §20.3);
    /// `assigned`: created with an operator list (only then are `_assigned` entries read).
    struct JobRecord {
        address developer;
        uint64 deadline;
        uint32 shards;
        address paymentToken;
        uint64 maxUnitsPerShard;
        uint32 minVramMiB;
        uint128 maxPricePerUnit;
        uint64 minOpsPerSec;
        IJobMarket.JobKind kind;
        uint8 verificationMode;
        bool gang;
        bool assigned;
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

    ParamsRecord internal _params;
    uint256 internal _jobCount;
    uint32 internal _termsCount;
    mapping(uint256 jobId => JobRecord) internal _jobs;
    mapping(uint256 jobId => mapping(uint32 shard => ShardTransitions.Record)) internal _shards;
    mapping(uint256 jobId => mapping(uint32 shard => address)) internal _assigned;
    mapping(address token => TokenState) internal _tokens;
    mapping(address token => Book) internal _books;
    mapping(address token => mapping(address account => uint256)) internal _owed;
    mapping(uint32 termsId => IJobMarket.ShardTerms) internal _terms;
    mapping(address operator => IJobMarket.OperatorRecord) internal _records;
    mapping(uint256 jobId => IJobMarket.Gang) internal _gangs;

    // ---------------------------------------------------------------- shared internals

    /// @dev Moves `amount` of the job's escrow to the developer's credit.
    function _refund(JobRecord storage job, uint256 amount) internal {
        if (amount == 0) return;
        address token = job.paymentToken;
        Book storage book = _books[token];
        uint128 a = SafeCast.toUint128(amount);
        book.escrow -= a;
        book.owed += a;
        _owed[token][job.developer] += amount;
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
