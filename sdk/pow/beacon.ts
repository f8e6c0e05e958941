import { encodeAbiParameters, keccak256, type Address, type Hex } from "viem";

/** The public facts that fix a job shard's beacon. */
export interface ShardBeaconInput {
  chainId: bigint | number;
  jobMarket: Address;
  jobId: bigint;
  shard: number;
  /** The result root the operator submitted. */
  root: Hex;
  /** `blockhash(b)`, b being the block that recorded the submission. */
  blockHash: Hex;
}

/** `keccak256(abi.encode(chainId, jobMarket, jobId, shard, root, blockhash(b)))`. */
export function shardBeacon(input: ShardBeaconInput): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "uint256" },
        { type: "address" },
        { type: "uint256" },
        { type: "uint32" },
        { type: "bytes32" },
        { type: "bytes32" },
      ],
      [BigInt(input.chainId), input.jobMarket, input.jobId, input.shard, input.root, input.blockHash],
    ),
  );
}

/** The facts that fix a claimed shard's beacon at one oracle (PROTOCOL §20.10). */
export interface ClaimBeaconInput {
  chainId: bigint | number;
  jobMarket: Address;
  jobId: bigint;
  shard: number;
  /** The result root the operator claimed. */
  root: Hex;
  /** The oracle's nonce, drawn after the claim arrived. */
  nonce: Hex;
}

/** A claim's beacon: `shardBeacon` with the oracle's nonce in place of the block hash. */
export function claimBeacon(input: ClaimBeaconInput): Hex {
  const { nonce, ...rest } = input;
  return shardBeacon({ ...rest, blockHash: nonce });
}

/** The facts that fix a capacity challenge's beacon. */
export interface CapacityBeaconInput {
  challengeId: Hex;
  /** The result root the agent returned before the deadline. */
  root: Hex;
  /** The oracle's nonce, revealed only after the root arrived. */
  nonce: Hex;
}

/** `keccak256(abi.encode(challengeId, root, nonce))`, all three bytes32. */
export function capacityBeacon(input: CapacityBeaconInput): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }],
      [input.challengeId, input.root, input.nonce],
    ),
  );
}

/** The commitment to a capacity challenge's nonce, published in the challenge: `keccak256(nonce)` (32 bytes). */
export function nonceCommitment(nonce: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "bytes32" }], [nonce]));
}
