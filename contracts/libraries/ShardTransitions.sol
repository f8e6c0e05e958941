// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
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

    /// @notice A shard as stored: three slots. Times fit 40 bits until the year 36812; the collateral
    /// fits 96 bits (it is at most the operator's free stake, below RGL's cap).
    struct Record {
        address operator;
        IJobMarket.ShardState state;
        uint40 acceptedAt;
        uint40 submittedAt;
        bytes32 resultRoot;
        uint64 units;
        uint40 submittedBlock;
        uint96 collateral;
        uint32 termsId;
    }

    /// @notice Open → Accepted by `operator`, locking `collateral` under terms `termsId`.
    function accept(Record storage sh, address operator, uint256 collateral, uint32 termsId) internal {
        _require(sh, IJobMarket.ShardState.Open);
        sh.operator = operator;
        sh.state = IJobMarket.ShardState.Accepted;
        sh.acceptedAt = uint40(block.timestamp);
        sh.collateral = SafeCast.toUint96(collateral);
        sh.termsId = termsId;
    }

    /// @notice Accepted → Submitted by its operator: the result root, the units and the beacon block.
    function submit(Record storage sh, address caller, bytes32 resultRoot, uint64 units) internal {
        _require(sh, IJobMarket.ShardState.Accepted);
        if (caller != sh.operator) revert IJobMarket.MarketNotShardOperator(caller, sh.operator);
        sh.state = IJobMarket.ShardState.Submitted;
        sh.submittedAt = uint40(block.timestamp);
        sh.submittedBlock = uint40(block.number);
        sh.units = units;
        sh.resultRoot = resultRoot;
    }

    /// @notice Open → Submitted in one write (accept then submit, same time and block).
    function acceptAndSubmit(
        Record storage sh,
        address operator,
        uint256 collateral,
        uint32 termsId,
        bytes32 resultRoot,
        uint64 units
    ) internal {
        _require(sh, IJobMarket.ShardState.Open);
        uint40 nowTime = uint40(block.timestamp);
        sh.operator = operator;
        sh.state = IJobMarket.ShardState.Submitted;
        sh.acceptedAt = nowTime;
        sh.submittedAt = nowTime;
        sh.resultRoot = resultRoot;
        sh.units = units;
        sh.submittedBlock = uint40(block.number);
        sh.collateral = SafeCast.toUint96(collateral);
        sh.termsId = termsId;
    }

    /// @notice Moves a shard into the final state `to`, from the states that may reach it: Settled,
    /// Failed and DeveloperFault from Submitted; Expired from Accepted or Submitted; Cancelled from
    /// Open or Accepted. Reverts `MarketBadShardState` otherwise (a final state is never left).
    function close(Record storage sh, IJobMarket.ShardState to) internal {
        if (!canClose(sh.state, to)) revert IJobMarket.MarketBadShardState(0, 0, sh.state);
        sh.state = to;
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
        address operator,
        bytes32 resultRoot,
        uint8 verdict,
        uint32 window
    ) internal view returns (uint8) {
        if (sh.state != IJobMarket.ShardState.Submitted) return SKIP_STATE;
        if (operator != sh.operator || resultRoot != sh.resultRoot) return SKIP_MISMATCH;
        if (verdict == 0 || verdict > 3) return SKIP_VERDICT;
        if (block.timestamp > closesAt(sh, window)) return SKIP_WINDOW;
        return APPLY;
    }

    function _require(Record storage sh, IJobMarket.ShardState want) private view {
        if (sh.state != want) revert IJobMarket.MarketBadShardState(0, 0, sh.state);
    }
}
