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

    function accept(address operator, uint256 collateral, uint32 termsId) external {
        record.accept(operator, collateral, termsId);
    }

    function submit(bytes32 root, uint64 units) external {
        record.submit(msg.sender, root, units);
    }

    function acceptAndSubmit(
        address operator,
        uint256 collateral,
        uint32 termsId,
        bytes32 root,
        uint64 units
    ) external {
        record.acceptAndSubmit(operator, collateral, termsId, root, units);
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

    function skipReason(address operator, bytes32 root, uint8 verdict, uint32 window) external view returns (uint8) {
        return record.skipReason(operator, root, verdict, window);
    }
}
