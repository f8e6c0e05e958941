import type { Address, Hex, TypedDataDomain } from "viem";
import { Verdict as ContractVerdict } from "../market/enums";

/** The EIP-712 domain name and version every Rigel attestation is signed under. */
export const RIGEL_EIP712_NAME = "Rigel";
export const RIGEL_EIP712_VERSION = "1";

/**
 * The EIP-712 types, field for field as in contracts/interfaces/IOracleCommittee.sol. Extend, never
 * change or remove (docs/PROTOCOL.md §4).
 */
export const rigelAttestationTypes = {
  ShardAttestation: [
    { name: "market", type: "address" },
    { name: "jobId", type: "uint256" },
    { name: "shard", type: "uint32" },
    { name: "operator", type: "address" },
    { name: "resultRoot", type: "bytes32" },
    { name: "verdict", type: "uint8" },
    { name: "units", type: "uint64" },
    { name: "expiry", type: "uint64" },
  ],
  CapacityAttestation: [
    { name: "operator", type: "address" },
    { name: "challengeId", type: "bytes32" },
    { name: "opsPerSec", type: "uint64" },
    { name: "vramMiB", type: "uint32" },
    { name: "gpuModel", type: "bytes32" },
    { name: "validUntil", type: "uint64" },
  ],
  VerdictBatch: [
    { name: "market", type: "address" },
    { name: "verdictsRoot", type: "bytes32" },
    { name: "count", type: "uint32" },
    { name: "expiry", type: "uint64" },
  ],
} as const;

/** `IOracleCommittee.Verdict` as signed (sdk/market/enums, from the contract): None (0) never is. */
export const Verdict = {
  Valid: ContractVerdict.Valid,
  Invalid: ContractVerdict.Invalid,
  DeveloperFault: ContractVerdict.DeveloperFault,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** A committee verdict on a job shard. */
export interface ShardAttestation {
  market: Address;
  jobId: bigint;
  shard: number;
  operator: Address;
  resultRoot: Hex;
  verdict: Verdict;
  units: bigint;
  expiry: bigint;
}

/**
 * One leaf of a verdict batch (`IOracleCommittee.ShardVerdict`, field for field): a shard
 * attestation without the market (the batch names it) and without the expiry (the batch's).
 */
export interface ShardVerdict {
  jobId: bigint;
  shard: number;
  operator: Address;
  resultRoot: Hex;
  verdict: Verdict;
  units: bigint;
}

/**
 * The statement a committee signs once for many shards (`IOracleCommittee.VerdictBatch`): the root
 * of the tree of their {@link ShardVerdict} leaves (sdk/market/verdictTree), how many leaves, and
 * the signature's freshness.
 */
export interface VerdictBatch {
  market: Address;
  verdictsRoot: Hex;
  count: number;
  expiry: bigint;
}

/** A committee's measurement of an operator's capacity. */
export interface CapacityAttestation {
  operator: Address;
  challengeId: Hex;
  opsPerSec: bigint;
  vramMiB: number;
  gpuModel: Hex;
  validUntil: bigint;
}

/** The Rigel EIP-712 domain: always all four fields. */
export type RigelDomain = Required<Pick<TypedDataDomain, "name" | "version" | "chainId" | "verifyingContract">> & {
  chainId: number;
};

/** `{ name: "Rigel", version: "1", chainId, verifyingContract: committee }`. */
export function rigelDomain(chainId: number | bigint, committee: Address): RigelDomain {
  return {
    name: RIGEL_EIP712_NAME,
    version: RIGEL_EIP712_VERSION,
    chainId: Number(chainId),
    verifyingContract: committee,
  };
}
