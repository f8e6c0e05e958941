// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IJobMarket} from "../interfaces/IJobMarket.sol";

/// @title ShardTransitions
/// @notice The shard state machine of PROTOCOL §9.2 as a library over the stored record (in the
/// manner of Uniswap v4's `Pool`): every transition checks that it starts from an allowed state and
/// writes the record; the JobMarket keeps the checks of time, eligibility and money.
///
///     Open ──accept──▶ Accepted ──submit──▶ Submitted ──close──▶ Settled | Failed | DeveloperFault | Expired
///      │ └──acceptAndSubmit──────────────────▶ Submitted
///      │                Accepted ──close──▶ Expired (no-show) | Cancelled (unstarted gang released)
///      └──close──▶ Cancelled
library ShardTransitions {
    /// @notice Why a verdict leaf is not applied (0: it is). Values of `VerdictSkipped.reason`.
    uint8 internal constant APPLY = 0;
    uint8 internal constant SKIP_STATE = 1;
    uint8 internal constant SKIP_MISMATCH = 2;
    uint8 internal constant SKIP_WINDOW = 3;
    uint8 internal constant SKIP_VERDICT = 4;
    /// @notice An Open shard's leaf that is not a settleable claim (PROTOCOL §20.10).
    uint8 internal constant SKIP_CLAIM = 5;

    /// @notice `submit` by an operator id that is not the shard's.
    error ShardNotOperator(uint32 callerId, uint32 operatorId);

    /// @notice A shard as stored: two slots (PROTOCOL §20.3). Slot 0: the operator's market id (see
    /// `JobMarket` `OperatorIdAssigned`), the state, the terms id, the accept and submit times, the
    /// beacon block and the units; slot 1: the result root. The collateral is not stored: it follows
    /// from the job and the terms. Times and blocks fit 40 bits until the year 36812.
    struct Record {
        uint32 operatorId;
        IJobMarket.ShardState state;
        uint32 termsId;
        uint40 acceptedAt;
        uint40 submittedAt;
        uint40 submittedBlock;
        uint64 units;
        bytes32 resultRoot;
    }

    /// @notice Reserves an Open shard for operator `operatorId` until `reopensAt` (PROTOCOL §20.9,
    /// §20.10): slot 0 holds the id, state Open and, in `acceptedAt`, the time the reservation lapses.
    function assign(Record storage sh, uint32 operatorId, uint40 reopensAt) internal {
        sh.operatorId = operatorId;
        sh.acceptedAt = reopensAt;
    }

    /// @notice Open → Accepted by operator `operatorId` under terms `termsId`.
    function accept(Record storage sh, uint32 operatorId, uint32 termsId) internal {
        _require(sh, IJobMarket.ShardState.Open);
        sh.operatorId = operatorId;
        sh.state = IJobMarket.ShardState.Accepted;
        sh.acceptedAt = uint40(block.timestamp);
        sh.termsId = termsId;
    }

    /// @notice Accepted → Submitted by its operator (`callerId`): the result root, the units and the
    /// beacon block.
    function submit(Record storage sh, uint32 callerId, bytes32 resultRoot, uint64 units) internal {
        _require(sh, IJobMarket.ShardState.Accepted);
        if (callerId != sh.operatorId) revert ShardNotOperator(callerId, sh.operatorId);
        sh.state = IJobMarket.ShardState.Submitted;
        sh.submittedAt = uint40(block.timestamp);
        sh.submittedBlock = uint40(block.number);
        sh.units = units;
        sh.resultRoot = resultRoot;
    }

    /// @notice Open → Submitted in one write of each slot (accept then submit, same time and block).
    function acceptAndSubmit(
        Record storage sh,
        uint32 operatorId,
        uint32 termsId,
        bytes32 resultRoot,
        uint64 units
    ) internal {
        _require(sh, IJobMarket.ShardState.Open);
        uint40 nowTime = uint40(block.timestamp);
        sh.operatorId = operatorId;
        sh.state = IJobMarket.ShardState.Submitted;
        sh.termsId = termsId;
        sh.acceptedAt = nowTime;
        sh.submittedAt = nowTime;
        sh.submittedBlock = uint40(block.number);
        sh.units = units;
        sh.resultRoot = resultRoot;
    }

    /// @notice Moves a shard into the final state `to`, from the states that may reach it: Settled,
    /// Failed and DeveloperFault from Submitted; Expired from Accepted or Submitted; Cancelled from
    /// Open or Accepted. Reverts `MarketBadShardState` otherwise (a final state is never left).
    function close(Record storage sh, IJobMarket.ShardState to) internal {
        if (!canClose(sh.state, to)) revert IJobMarket.MarketBadShardState(0, 0, sh.state);
        sh.state = to;
    }

    /// @notice Slot 0 of a record as one word (one SLOAD), for loops that read a shard once: decode
    /// it with `stateOf`, `operatorIdOf`, `termsIdOf`, `submittedAtOf`, `unitsOf`, write it back with
    /// `closeWord`. Layout (low bits first, as Solidity packs `Record`): operatorId 0–31, state 32–39,
    /// termsId 40–71, acceptedAt 72–111, submittedAt 112–151, submittedBlock 152–191, units 192–255.
    function word(Record storage sh) internal view returns (uint256 w) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w := sload(sh.slot)
        }
    }

    /// @notice The operator id in a record's slot-0 word.
    function operatorIdOf(uint256 w) internal pure returns (uint32) {
        return uint32(w);
    }

    /// @notice The state in a record's slot-0 word.
    function stateOf(uint256 w) internal pure returns (IJobMarket.ShardState) {
        return IJobMarket.ShardState(uint8(w >> 32));
    }

    /// @notice The terms id in a record's slot-0 word.
    function termsIdOf(uint256 w) internal pure returns (uint32) {
        return uint32(w >> 40);
    }

    /// @notice The submit time in a record's slot-0 word.
    function submittedAtOf(uint256 w) internal pure returns (uint40) {
        return uint40(w >> 112);
    }

    /// @notice When an Open assigned shard's reservation lapses: the `acceptedAt` field of its word.
    function reopensAtOf(uint256 w) internal pure returns (uint40) {
        return uint40(w >> 72);
    }

    /// @notice The slot-0 word of a shard claimed now (PROTOCOL §20.10): Submitted by `operatorId`
    /// under `termsId` with `units`, accepted and submitted at this time and block. Not written here:
    /// `closeWord` writes it once, closed.
    function claimWord(uint32 operatorId, uint32 termsId, uint64 units) internal view returns (uint256) {
        uint256 nowTime = uint40(block.timestamp);
        return
            uint256(operatorId) |
            (uint256(uint8(IJobMarket.ShardState.Submitted)) << 32) |
            (uint256(termsId) << 40) |
            (nowTime << 72) |
            (nowTime << 112) |
            (uint256(uint40(block.number)) << 152) |
            (uint256(units) << 192);
    }

    /// @notice The submitted units in a record's slot-0 word.
    function unitsOf(uint256 w) internal pure returns (uint64) {
        return uint64(w >> 192);
    }

    /// @notice `close` for a record whose slot 0 was read as `w` (and not written since): the same
    /// guard, one SSTORE and no second read.
    function closeWord(Record storage sh, uint256 w, IJobMarket.ShardState to) internal {
        IJobMarket.ShardState from = stateOf(w);
        if (!canClose(from, to)) revert IJobMarket.MarketBadShardState(0, 0, from);
        uint256 next = (w & ~(uint256(0xff) << 32)) | (uint256(uint8(to)) << 32);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(sh.slot, next)
        }
    }

    /// @notice `skipReason` for a record whose slot 0 was read as `w`; the result root is read only
    /// when the state and operator match.
    function skipReasonWord(
        Record storage sh,
        uint256 w,
        uint32 operatorId,
        bytes32 resultRoot,
        uint8 verdict,
        uint32 window
    ) internal view returns (uint8) {
        if (stateOf(w) != IJobMarket.ShardState.Submitted) return SKIP_STATE;
        if (operatorId != operatorIdOf(w) || resultRoot != sh.resultRoot) return SKIP_MISMATCH;
        if (verdict == 0 || verdict > 3) return SKIP_VERDICT;
        if (block.timestamp > uint256(submittedAtOf(w)) + window) return SKIP_WINDOW;
        return APPLY;
    }

    /// @notice Whether `close` may move a shard from `from` to `to`.
    function canClose(IJobMarket.ShardState from, IJobMarket.ShardState to) internal pure returns (bool) {
        if (
            to == IJobMarket.ShardState.Settled ||
            to == IJobMarket.ShardState.Failed ||
            to == IJobMarket.ShardState.DeveloperFault
        ) return from == IJobMarket.ShardState.Submitted;
        if (to == IJobMarket.ShardState.Expired) {
            return from == IJobMarket.ShardState.Accepted || from == IJobMarket.ShardState.Submitted;
        }
        if (to == IJobMarket.ShardState.Cancelled) {
            return from == IJobMarket.ShardState.Open || from == IJobMarket.ShardState.Accepted;
        }
        return false;
    }

    /// @notice Whether a shard in `state` still holds escrow (not final).
    function isUnsettled(IJobMarket.ShardState state) internal pure returns (bool) {
        return
            state == IJobMarket.ShardState.Open ||
            state == IJobMarket.ShardState.Accepted ||
            state == IJobMarket.ShardState.Submitted;
    }

    /// @notice The last moment a submitted shard may be settled under a verify window of `window`.
    function closesAt(Record storage sh, uint32 window) internal view returns (uint256) {
        return uint256(sh.submittedAt) + window;
    }

    /// @notice Why a verdict leaf on this shard is not applied now (`APPLY` when it is): the shard is
    /// not Submitted, the leaf's operator or root differ, the verdict is not 1–3, or the window closed.
    function skipReason(
        Record storage sh,
        uint32 operatorId,
        bytes32 resultRoot,
        uint8 verdict,
        uint32 window
    ) internal view returns (uint8) {
        if (sh.state != IJobMarket.ShardState.Submitted) return SKIP_STATE;
        if (operatorId != sh.operatorId || resultRoot != sh.resultRoot) return SKIP_MISMATCH;
        if (verdict == 0 || verdict > 3) return SKIP_VERDICT;
        if (block.timestamp > closesAt(sh, window)) return SKIP_WINDOW;
        return APPLY;
    }

    function _require(Record storage sh, IJobMarket.ShardState want) private view {
        if (sh.state != want) revert IJobMarket.MarketBadShardState(0, 0, sh.state);
    }
}
