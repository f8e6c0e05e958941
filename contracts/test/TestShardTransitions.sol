// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {ShardTransitions} from "../libraries/ShardTransitions.sol";

/// @title TestShardTransitions
/// @notice TEST HARNESS: one shard record driven through the ShardTransitions library.
contract TestShardTransitions {
    using ShardTransitions for ShardTransitions.Record;

    ShardTransitions.Record public record;

    function setState(IJobMarket.ShardState state) external {
        record.state = state;
    }

    function accept(uint32 operatorId, uint32 termsId) external {
        record.accept(operatorId, termsId);
    }

    function submit(uint32 callerId, bytes32 root, uint64 units) external {
        record.submit(callerId, root, units);
    }

    function acceptAndSubmit(uint32 operatorId, uint32 termsId, bytes32 root, uint64 units) external {
        record.acceptAndSubmit(operatorId, termsId, root, units);
    }

    /// @notice The slot-0 word decoded by the library's word helpers.
    function decodeWord()
        external
        view
        returns (uint32 operatorId, IJobMarket.ShardState state, uint32 termsId, uint40 submittedAt, uint64 units)
    {
        uint256 w = record.word();
        return (
            ShardTransitions.operatorIdOf(w),
            ShardTransitions.stateOf(w),
            ShardTransitions.termsIdOf(w),
            ShardTransitions.submittedAtOf(w),
            ShardTransitions.unitsOf(w)
        );
    }

    function closeWord(IJobMarket.ShardState to) external {
        record.closeWord(record.word(), to);
    }

    function skipReasonWord(
        uint32 operatorId,
        bytes32 root,
        uint8 verdict,
        uint32 window
    ) external view returns (uint8) {
        return record.skipReasonWord(record.word(), operatorId, root, verdict, window);
    }

    function close(IJobMarket.ShardState to) external {
        record.close(to);
    }

    function canClose(IJobMarket.ShardState from, IJobMarket.ShardState to) external pure returns (bool) {
        return ShardTransitions.canClose(from, to);
    }

    function isUnsettled(IJobMarket.ShardState state) external pure returns (bool) {
        return ShardTransitions.isUnsettled(state);
    }

    function skipReason(uint32 operatorId, bytes32 root, uint8 verdict, uint32 window) external view returns (uint8) {
        return record.skipReason(operatorId, root, verdict, window);
    }
}
