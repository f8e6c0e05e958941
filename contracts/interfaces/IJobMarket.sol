// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOracleCommittee} from "./IOracleCommittee.sol";

/// @title IJobMarket
/// @notice Escrow market for GPU jobs: developers fund S shards, operators accept them against locked
/// collateral, submit a result root, and the oracle committee's attestation (one shard) or verdict
/// batch (many shards, one signature each) pays or slashes. Payouts, refunds and fees are credited
/// inside the market and withdrawn by their owners (pull payments, PROTOCOL §20.1).
/// @dev Warning: the market trusts the OracleCommittee's quorum for verdicts and units, and
/// governance's RGL rate of each payment token for collateral and work points.
interface IJobMarket {
    /// @notice Kind of workload.
    enum JobKind {
        MatmulInt8,
        Container,
        LlmInference
    }

    /// @notice Shard states: Open → Accepted → Submitted → Settled | Failed | DeveloperFault;
    /// Open → Cancelled; Accepted → Expired; Submitted → Expired. Settled, Failed, Cancelled, Expired
    /// and DeveloperFault are final.
    /// @dev Open is 0: every shard index below `Job.shards` starts Open without a storage write.
    enum ShardState {
        Open,
        Accepted,
        Submitted,
        Settled,
        Failed,
        Cancelled,
        Expired,
        DeveloperFault
    }

    /// @notice What a developer asks for when creating a job.
    /// @param paymentToken An allowlisted ERC-20.
    /// @param kind The workload kind.
    /// @param verificationMode 0 = sampled, 1 = receipt (PROTOCOL §9.1); informational for the oracle.
    /// @param shards Number of shards, 1..64.
    /// @param maxUnitsPerShard Most units one shard may be paid for.
    /// @param maxPricePerUnit Most payment-token units paid per unit.
    /// @param minVramMiB Minimum attested VRAM of an accepting operator.
    /// @param minOpsPerSec Minimum attested throughput of an accepting operator.
    /// @param deadline Unix time after which shards can no longer be accepted or submitted.
    /// @param specHash Hash of the canonical job spec.
    /// @param specURI Where the spec lives (emitted, not stored).
    /// @param shardOperators Empty (anyone eligible) or one entry per shard (zero = anyone).
    struct JobParams {
        address paymentToken;
        JobKind kind;
        uint8 verificationMode;
        uint32 shards;
        uint64 maxUnitsPerShard;
        uint128 maxPricePerUnit;
        uint32 minVramMiB;
        uint64 minOpsPerSec;
        uint64 deadline;
        bytes32 specHash;
        string specURI;
        address[] shardOperators;
    }

    /// @notice A job as the market keeps it. `specHash` and `specURI` are not stored: they are in
    /// `JobCreated` only (PROTOCOL §20.3). `escrow` is what the job still holds in escrow
    /// (its unsettled shards' value), computed by the view.
    struct Job {
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
        uint256 escrow;
    }

    /// @notice A shard as the market keeps it. The result URI is not stored (it is in
    /// `ShardSubmitted`). `verifyWindow` is the window snapshotted when the shard was accepted (0 while
    /// Open): the committee must settle by `submittedAt + verifyWindow` (PROTOCOL §20.2).
    struct Shard {
        ShardState state;
        address operator;
        uint64 acceptedAt;
        uint64 submittedAt;
        uint64 submittedBlock;
        uint64 units;
        uint128 collateral;
        bytes32 resultRoot;
        uint64 verifyWindow;
    }

    /// @notice The terms a shard was accepted under (PROTOCOL §20.2): governance parameters and the
    /// payment token's RGL rate are snapshotted at accept and never change for that shard.
    struct ShardTerms {
        uint16 feeBps;
        uint32 verifyWindow;
        uint16 invalidSlashBps;
        uint16 invalidDeveloperBps;
        uint16 noShowSlashBps;
        uint16 noShowDeveloperBps;
        uint128 rglPerToken;
        uint32 collateralRatioBps;
    }

    /// @notice One submission of `submitMany`, exactly the arguments of `submit`.
    struct Submission {
        uint256 jobId;
        uint32 shard;
        bytes32 resultRoot;
        uint64 units;
        string resultURI;
    }

    /// @notice An allowlisted payment token.
    /// @param allowed Whether new jobs may be paid in it.
    /// @param rglPerToken RGL (18 decimals) per whole base unit of the token, scaled by 1e18. Kept
    /// when the token is disallowed, so open shards of its jobs are still accepted at this rate.
    struct PaymentToken {
        bool allowed;
        uint128 rglPerToken;
    }

    /// @notice Governance parameters.
    /// @param treasury Receives protocol fees paid in tokens other than RGL.
    /// @param feeBps Protocol fee on each payment, at most `MAX_FEE_BPS`.
    /// @param collateralRatioBps Collateral as a share of a shard's max value, at least 10000.
    /// @param verifyWindow Seconds the committee has to settle a submitted shard (1..2^32 − 1).
    /// @param invalidSlashBps Share of the collateral slashed on an Invalid verdict.
    /// @param invalidDeveloperBps Share of that slash paid to the developer; the rest is burned.
    /// @param noShowSlashBps Share of the collateral slashed when an accepted shard is never submitted.
    /// @param noShowDeveloperBps Share of that slash paid to the developer; the rest is burned.
    struct Params {
        address treasury;
        uint16 feeBps;
        uint32 collateralRatioBps;
        uint64 verifyWindow;
        uint16 invalidSlashBps;
        uint16 invalidDeveloperBps;
        uint16 noShowSlashBps;
        uint16 noShowDeveloperBps;
    }

    /// @notice The gang state of a job created with `createGangJob` (all zero for other jobs).
    /// @param acceptDeadline Last moment (exclusive) to accept a shard; nonzero marks a gang job.
    /// @param startedAt When the last shard was accepted: the shared start (0 until then).
    /// @param accepted How many shards have been accepted so far.
    /// @param released Whether the gang was released unstarted (`releaseGang`).
    struct Gang {
        uint64 acceptDeadline;
        uint64 startedAt;
        uint32 accepted;
        bool released;
    }

    /// @notice Per-operator outcome counters: `settled` counts Valid verdicts, `failed` Invalid ones,
    /// `noShows` no-show expiries. A DeveloperFault verdict counts in none of them (neither the
    /// operator's success nor its fault).
    struct OperatorRecord {
        uint64 settled;
        uint64 failed;
        uint64 noShows;
        uint128 slashed;
    }

    /// @notice The token is not allowlisted.
    error MarketTokenNotAllowed(address token);
    /// @notice Shard count outside 1..64.
    error MarketBadShardCount(uint256 shards);
    /// @notice A zero max units or max price.
    error MarketZeroValue();
    /// @notice The deadline is not in the future.
    error MarketBadDeadline(uint64 deadline, uint256 nowTime);
    /// @notice The operator list has the wrong length.
    error MarketBadOperatorList(uint256 length, uint256 shards);
    /// @notice After a job's escrow arrived, the market holds less of the token than it owes and
    /// escrows (`expected`: escrow + owed; `received`: the balance): a fee-on-transfer token.
    error MarketTransferShortfall(address token, uint256 expected, uint256 received);
    /// @notice No such job.
    error MarketUnknownJob(uint256 jobId);
    /// @notice No such shard in the job.
    error MarketUnknownShard(uint256 jobId, uint32 shard);
    /// @notice The shard is not in the state the call needs.
    error MarketBadShardState(uint256 jobId, uint32 shard, ShardState state);
    /// @notice The job's deadline has passed.
    error MarketDeadlinePassed(uint256 jobId, uint64 deadline);
    /// @notice The job's deadline has not passed yet.
    error MarketDeadlineNotPassed(uint256 jobId, uint64 deadline);
    /// @notice The verify window of the shard is still open.
    error MarketVerifyWindowOpen(uint256 jobId, uint32 shard, uint256 closesAt);
    /// @notice The verify window of the shard has closed.
    error MarketVerifyWindowClosed(uint256 jobId, uint32 shard, uint256 closedAt);
    /// @notice The caller may not take this shard (it is assigned to another operator).
    error MarketOperatorNotAllowed(uint256 jobId, uint32 shard, address operator);
    /// @notice The operator is not registered.
    error MarketNotRegistered(address operator);
    /// @notice The operator is jailed.
    error MarketJailed(address operator, uint64 until);
    /// @notice The operator's attested capacity is missing, expired or too small.
    error MarketCapacityTooLow(address operator, uint64 opsPerSec, uint32 vramMiB, uint64 validUntil);
    /// @notice The operator's free stake does not cover the collateral.
    error MarketInsufficientStake(address operator, uint256 free, uint256 needed);
    /// @notice The caller is not the shard's operator.
    error MarketNotShardOperator(address caller, address operator);
    /// @notice The caller is not the job's developer.
    error MarketNotDeveloper(address caller, address developer);
    /// @notice Units claimed are zero or above the job's maximum.
    error MarketBadUnits(uint64 units, uint64 maxUnits);
    /// @notice The result root is zero.
    error MarketZeroRoot();
    /// @notice The attestation does not match the shard (market, operator, root), or its verdict is
    /// not Valid, Invalid or DeveloperFault.
    error MarketAttestationMismatch(uint256 jobId, uint32 shard);
    /// @notice `settle` of an Open shard that is not a settleable claim (PROTOCOL §20.10); `reason` is
    /// `VerdictSkipped`'s (5).
    error MarketClaimNotSettleable(uint256 jobId, uint32 shard, uint8 reason);
    /// @notice The attestation expired.
    error MarketAttestationExpired(uint64 expiry, uint256 nowTime);
    /// @notice Batch arrays of different lengths (or a verdict batch whose `count` is not the number of
    /// verdicts given).
    error MarketLengthMismatch(uint256 expected, uint256 given);
    /// @notice The verdict batch names another market.
    error MarketWrongMarket(address market);
    /// @notice The verdicts given do not hash to the signed root.
    error MarketVerdictsRootMismatch(bytes32 signed, bytes32 computed);
    /// @notice Nothing is owed to `account` in `token`.
    error MarketNothingOwed(address token, address account);
    /// @notice A parameter outside its allowed range.
    error MarketBadParam(bytes32 name, uint256 value);
    /// @notice The zero address where an address is needed.
    error MarketZeroAddress();
    /// @notice A gang's accept deadline must lie after now and before the job's deadline.
    error MarketGangBadAcceptDeadline(uint64 acceptDeadline, uint64 deadline, uint256 nowTime);
    /// @notice The gang's accept deadline has passed: no shard can be accepted any more.
    error MarketGangAcceptClosed(uint256 jobId, uint64 acceptDeadline);
    /// @notice The gang has not started (not every shard is accepted): no submit, no expiry.
    error MarketGangNotStarted(uint256 jobId);
    /// @notice The gang started (every shard was accepted): it cannot be released.
    error MarketGangStarted(uint256 jobId, uint64 startedAt);
    /// @notice The gang's accept deadline has not passed yet.
    error MarketGangAcceptOpen(uint256 jobId, uint64 acceptDeadline);
    /// @notice The gang was already released.
    error MarketGangAlreadyReleased(uint256 jobId);
    /// @notice The job is not a gang job.
    error MarketNotGang(uint256 jobId);

    /// @notice A job was created and its escrow (`job.escrow`) pulled. `specHash` and `specURI` live
    /// only here.
    event JobCreated(
        uint256 indexed jobId,
        address indexed developer,
        address indexed paymentToken,
        Job job,
        bytes32 specHash,
        string specURI
    );
    /// @notice A shard was assigned to one operator at creation.
    event ShardAssigned(uint256 indexed jobId, uint32 indexed shard, address indexed operator);
    /// @notice An operator accepted a shard and locked collateral.
    event ShardAccepted(uint256 indexed jobId, uint32 indexed shard, address indexed operator, uint256 collateral);
    /// @notice An operator submitted a result; `blockNumber` is the beacon block b (PROTOCOL §3.4).
    event ShardSubmitted(
        uint256 indexed jobId,
        uint32 indexed shard,
        address indexed operator,
        bytes32 resultRoot,
        uint64 units,
        uint64 blockNumber,
        string resultURI
    );
    /// @notice A shard was paid on a Valid verdict (amounts credited: `paid` to the operator, `refund`
    /// to the developer; `fee` to the treasury or burned).
    event ShardSettled(
        uint256 indexed jobId,
        uint32 indexed shard,
        address indexed operator,
        uint64 units,
        uint256 paid,
        uint256 fee,
        uint256 refund,
        uint256 workPoints
    );
    /// @notice A shard failed on an Invalid verdict: collateral slashed, escrow refunded.
    event ShardFailed(
        uint256 indexed jobId,
        uint32 indexed shard,
        address indexed operator,
        uint256 slashed,
        uint256 refund
    );
    /// @notice The committee found the developer's code at fault (a failed or non-reproducible item,
    /// PROTOCOL §9.3): the operator is paid `paid` for the units it used (`fee` taken as for Valid),
    /// the developer refunded `refund`, the collateral unlocked; no slash, no jail, no work points.
    event ShardDeveloperFault(
        uint256 indexed jobId,
        uint32 indexed shard,
        address indexed operator,
        uint64 units,
        uint256 paid,
        uint256 fee,
        uint256 refund
    );
    /// @notice An open shard was cancelled and refunded.
    event ShardCancelled(uint256 indexed jobId, uint32 indexed shard, uint256 refund);
    /// @notice A shard expired: `slashed` > 0 for a no-show, 0 when the committee never answered.
    event ShardExpired(
        uint256 indexed jobId,
        uint32 indexed shard,
        address indexed operator,
        bool noShow,
        uint256 slashed,
        uint256 refund
    );
    /// @notice The protocol fee was burned (RGL) or credited to the treasury; once per token per
    /// settlement transaction.
    event FeeCollected(address indexed token, address indexed treasury, uint256 amount, bool burned);
    /// @notice A leaf of a verdict batch was not applied. Reasons: 1 the shard is not Submitted (settled
    /// already, expired, unknown), 2 its operator or result root differ from the leaf, 3 its verify
    /// window closed, 4 the verdict is not Valid, Invalid or DeveloperFault, 5 the shard is Open and
    /// the leaf is not a settleable claim (PROTOCOL §20.10).
    event VerdictSkipped(uint256 indexed jobId, uint32 indexed shard, uint8 reason);
    /// @notice A verdict batch was settled: `settled` leaves applied, `skipped` skipped.
    event VerdictsSettled(bytes32 indexed verdictsRoot, uint256 settled, uint256 skipped);
    /// @notice `account` withdrew `amount` of `token` it was owed, paid to `to`.
    event Withdrawn(address indexed token, address indexed account, address indexed to, uint256 amount);
    /// @notice A payment token's allowlist entry changed.
    event PaymentTokenSet(address indexed token, bool allowed, uint128 rglPerToken);
    /// @notice Governance parameters changed.
    event ParamsSet(Params params);
    /// @notice A new set of shard terms was recorded for shards of `token` accepted from now on (the
    /// first accept after a parameter or rate change).
    event ShardTermsRecorded(uint32 indexed termsId, address indexed token, ShardTerms terms);
    /// @notice Governance set the grace of assigned shards for jobs created from now on.
    event AssignGraceSet(uint32 grace);
    /// @notice A job with assigned shards was created: from `reopensAt` its still Open assigned shards
    /// may be accepted by any eligible operator (PROTOCOL §20.9).
    event AssignmentsReopenAt(uint256 indexed jobId, uint64 reopensAt);
    /// @notice `operator` accepted its first shard and was given the id the market's shard records
    /// carry instead of its address (PROTOCOL §20.3).
    event OperatorIdAssigned(address indexed operator, uint32 indexed id);
    /// @notice A job was created as a gang: its shards start together once all are accepted.
    event GangJobCreated(uint256 indexed jobId, uint64 acceptDeadline);
    /// @notice Every shard of a gang job was accepted: the shared start time, from which shards may submit.
    event GangStarted(uint256 indexed jobId, uint64 startedAt);
    /// @notice An unstarted gang was released after its accept deadline: every shard cancelled,
    /// the collateral of the `unlocked` accepted ones released, `refund` paid back, nobody slashed.
    event GangReleased(uint256 indexed jobId, uint32 unlocked, uint256 refund);

    /// @notice Most protocol fee governance may set (10%).
    /// @return Basis points.
    function MAX_FEE_BPS() external view returns (uint16);

    /// @notice Role allowed to pause entry (create, accept).
    /// @return The role id.
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice Role allowed to set parameters and the token allowlist.
    /// @return The role id.
    function GOVERNOR_ROLE() external view returns (bytes32);

    /// @notice Create a job and pull `shards × maxUnitsPerShard × maxPricePerUnit` from the caller.
    /// @param params The job.
    /// @return jobId The new job's id (from 1).
    function createJob(JobParams calldata params) external returns (uint256 jobId);

    /// @notice Like `createJob`, approving the escrow through EIP-2612 permit first. A permit that
    /// fails is ignored when the allowance already suffices (so a front-run permit cannot block).
    /// @param params The job.
    /// @param permitDeadline The permit's deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    /// @return jobId The new job's id.
    function createJobWithPermit(
        JobParams calldata params,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 jobId);

    /// @notice Like `createJob`, for work that needs every shard at once: shards are accepted first;
    /// when the last one is accepted the gang starts (`GangStarted`, `gangOf(jobId).startedAt`) and only
    /// then may shards submit. If not every shard is accepted before `acceptDeadline`, anyone may
    /// `releaseGang`: escrow refunded, collateral unlocked, nobody slashed.
    /// @param params The job.
    /// @param acceptDeadline Unix time after now and before `params.deadline`; accepting closes then.
    /// @return jobId The new job's id.
    function createGangJob(JobParams calldata params, uint64 acceptDeadline) external returns (uint256 jobId);

    /// @notice Release a gang job that did not start by its accept deadline: every Open or Accepted
    /// shard is cancelled and refunded to the developer, accepted shards' collateral is unlocked,
    /// nobody is slashed. Anyone may call, once, at or after the accept deadline.
    /// @param jobId The gang job.
    /// @return cancelled How many shards were cancelled.
    function releaseGang(uint256 jobId) external returns (uint256 cancelled);

    /// @notice The gang state of a job (all zero when it is not a gang job).
    /// @param jobId The job.
    /// @return The gang state.
    function gangOf(uint256 jobId) external view returns (Gang memory);

    /// @notice Accept an open shard: checks eligibility, locks collateral from free self-stake and
    /// snapshots the shard's terms (`shardTerms`). A job whose token was disallowed since is still
    /// accepted at the token's kept rate; a rate of 0 reverts `MarketBadParam("rglPerToken", 0)`.
    /// @param jobId The job.
    /// @param shard The shard index.
    function accept(uint256 jobId, uint32 shard) external;

    /// @notice Accept and submit an open shard in one call (work done before claiming): exactly
    /// `accept` then `submit`. Not for gang jobs (`MarketGangNotStarted`).
    /// @param jobId The job.
    /// @param shard The shard index.
    /// @param resultRoot The Merkle root of the result.
    /// @param units Units claimed (1..maxUnitsPerShard).
    /// @param resultURI Where the result can be fetched (emitted, not stored).
    function acceptAndSubmit(
        uint256 jobId,
        uint32 shard,
        bytes32 resultRoot,
        uint64 units,
        string calldata resultURI
    ) external;

    /// @notice Submit many accepted shards, each exactly as `submit`; any failure reverts the whole call.
    /// @param subs The submissions.
    function submitMany(Submission[] calldata subs) external;

    /// @notice Submit the result of an accepted shard; records the beacon block. A gang job's shard
    /// may submit only after the gang started.
    /// @param jobId The job.
    /// @param shard The shard index.
    /// @param resultRoot The Merkle root of the result.
    /// @param units Units claimed (1..maxUnitsPerShard).
    /// @param resultURI Where the result can be fetched (emitted in `ShardSubmitted`, not stored).
    function submit(uint256 jobId, uint32 shard, bytes32 resultRoot, uint64 units, string calldata resultURI) external;

    /// @notice Settle a submitted shard with a committee attestation, within the shard's verify window
    /// (snapshotted at accept). Anyone may call; never paused. With `u = min(attestation.units,
    /// submitted units)`, `pay = u × maxPricePerUnit` and `fee = ⌊pay × feeBps / 10^4⌋` (the shard's
    /// terms, PROTOCOL §9.3); every amount is credited (`owedOf`), none transferred:
    /// - Valid (1): Settled; the operator is credited `pay − fee`, the developer `V − pay`, the fee
    ///   the treasury (burned for RGL), the collateral is unlocked, the fee's RGL value credited as
    ///   work points (`ShardSettled`).
    /// - Invalid (2): Failed; the developer is credited `V`, the collateral is slashed, the operator
    ///   jailed (`ShardFailed`).
    /// - DeveloperFault (3): DeveloperFault; money as for Valid, the collateral unlocked, but no slash,
    ///   no jail and no work points (`ShardDeveloperFault`, PROTOCOL §18.2).
    /// An Open shard assigned to the attestation's operator settles as a claim (PROTOCOL §20.10):
    /// Valid only, before the deadline, no collateral; else `MarketClaimNotSettleable`.
    /// @param attestation The attestation (market = this, the shard's operator and root, verdict 1–3).
    /// @param signatures The committee signatures, sorted by signer.
    function settle(IOracleCommittee.ShardAttestation calldata attestation, bytes[] calldata signatures) external;

    /// @notice Settle many shards with one committee signature set over a verdict batch (PROTOCOL
    /// §20.4). Reverts unless `verdicts.length == batch.count`, `batch.market` is this market, the
    /// leaves hash to `batch.verdictsRoot`, `batch.expiry` has not passed and `signatures` are a quorum
    /// over `batch`. Then each leaf is applied exactly as `settle` applies an attestation, or skipped
    /// (`VerdictSkipped`) when its shard is not Submitted, its operator or root differ, its verify
    /// window closed, or its verdict is out of range; an Open assigned shard's Valid leaf settles it
    /// as a claim (PROTOCOL §20.10). Collateral unlocks, work points and fees are
    /// aggregated per operator and per token. Anyone may call; never paused.
    /// @param batch The signed batch.
    /// @param signatures The committee signatures over `batch`, sorted by signer.
    /// @param verdicts Every leaf of the batch, in tree order.
    /// @return settled How many leaves were applied.
    function settleVerdicts(
        IOracleCommittee.VerdictBatch calldata batch,
        bytes[] calldata signatures,
        IOracleCommittee.ShardVerdict[] calldata verdicts
    ) external returns (uint256 settled);

    /// @notice Pay `to` everything the caller is owed in `token` (payouts, refunds, fees).
    /// @param token The payment token.
    /// @param to The recipient (not zero).
    /// @return amount What was paid.
    function withdraw(address token, address to) external returns (uint256 amount);

    /// @notice Expire a shard: Accepted past the deadline (no-show slash, refund) or Submitted past
    /// the verify window (refund, collateral back, no slash). Anyone may call. The refund is credited.
    /// @param jobId The job.
    /// @param shard The shard index.
    function expire(uint256 jobId, uint32 shard) external;

    /// @notice Cancel every open shard of a job and refund them. Only the developer.
    /// @param jobId The job.
    /// @return cancelled How many shards were cancelled.
    function cancel(uint256 jobId) external returns (uint256 cancelled);

    /// @notice Set a payment token's allowlist entry. Only governance. Disallowing with a rate of 0
    /// keeps the stored rate (open shards of existing jobs are still accepted at it).
    /// @param token The token.
    /// @param allowed Whether new jobs may use it.
    /// @param rglPerToken Its RGL rate, 1e18-scaled (nonzero when allowed; 0 with `allowed = false`
    /// keeps the stored rate).
    function setPaymentToken(address token, bool allowed, uint128 rglPerToken) external;

    /// @notice Set the governance parameters. Only governance. Shards accepted before keep the terms
    /// (collateral ratio included) they were accepted under; `treasury` applies from now on.
    /// @param params The new parameters.
    function setParams(Params calldata params) external;

    /// @notice Pause entry (create, accept). Exits are never paused.
    function pause() external;

    /// @notice Unpause entry.
    function unpause() external;

    /// @notice A job.
    /// @param jobId The job.
    /// @return The job.
    function getJob(uint256 jobId) external view returns (Job memory);

    /// @notice A shard (meaningful only for an index below the job's shard count). While Open, its
    /// operator and acceptedAt read 0 (its assignment: `assignedOperator`). A shard settled as a claim
    /// (PROTOCOL §20.10) has no stored result root (0): it is in its `ShardSubmitted` event.
    /// @param jobId The job.
    /// @param shard The shard index.
    /// @return The shard.
    function getShard(uint256 jobId, uint32 shard) external view returns (Shard memory);

    /// @notice The terms a shard was accepted under (all zero while Open).
    /// @param jobId The job.
    /// @param shard The shard index.
    /// @return The snapshotted terms.
    function shardTerms(uint256 jobId, uint32 shard) external view returns (ShardTerms memory);

    /// @notice What `account` is owed in `token` and may `withdraw`.
    /// @param token The payment token.
    /// @param account The account.
    /// @return Amount.
    function owedOf(address token, address account) external view returns (uint256);

    /// @notice Everything owed in `token`, over all accounts.
    /// @param token The payment token.
    /// @return Amount.
    function owedTotal(address token) external view returns (uint256);

    /// @notice The operator an Open shard is reserved for (zero: anyone eligible, or not Open). From
    /// `assignmentsReopenAt(jobId)` on, any eligible operator may accept it too (PROTOCOL §20.9).
    /// @param jobId The job.
    /// @param shard The shard index.
    /// @return The operator.
    function assignedOperator(uint256 jobId, uint32 shard) external view returns (address);

    /// @notice When the assigned shards of a job still Open may be accepted by any eligible operator:
    /// its creation time plus the `assignGrace` in force then (0 for a job without assignments, or once
    /// none of its assigned shards is Open).
    /// @param jobId The job.
    /// @return Unix time.
    function assignmentsReopenAt(uint256 jobId) external view returns (uint64);

    /// @notice The grace after a job's creation during which its assigned shards are reserved for
    /// their operators (PROTOCOL §20.9); a job keeps the grace in force at its creation.
    /// @return Seconds.
    function assignGrace() external view returns (uint32);

    /// @notice Set `assignGrace` for jobs created from now on. Only governance.
    /// @param grace Seconds (at most 7 days).
    function setAssignGrace(uint32 grace) external;

    /// @notice The sampling beacon of a submitted shard, or zero when its block hash is no longer
    /// available (older than 256 blocks) or it was never submitted.
    /// @param jobId The job.
    /// @param shard The shard index.
    /// @return The beacon (PROTOCOL §3.4).
    function beaconOf(uint256 jobId, uint32 shard) external view returns (bytes32);

    /// @notice The collateral in RGL a shard of `jobId` needs now.
    /// @param jobId The job.
    /// @return RGL.
    function collateralFor(uint256 jobId) external view returns (uint256);

    /// @notice Number of jobs created.
    /// @return The last job id.
    function jobCount() external view returns (uint256);

    /// @notice Unsettled escrow held in `token`; the market's balance of it is `escrowOf + owedTotal`.
    /// @param token The token.
    /// @return Amount.
    function escrowOf(address token) external view returns (uint256);

    /// @notice A payment token's allowlist entry.
    /// @param token The token.
    /// @return The entry.
    function paymentToken(address token) external view returns (PaymentToken memory);

    /// @notice The governance parameters.
    /// @return The parameters.
    function params() external view returns (Params memory);

    /// @notice An operator's outcome counters.
    /// @param operator The operator.
    /// @return The record.
    function operatorRecord(address operator) external view returns (OperatorRecord memory);
}
