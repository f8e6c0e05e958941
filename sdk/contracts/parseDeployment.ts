import { getAddress, isAddress, type Address } from "viem";
import { RigelError } from "../errors/RigelError";

// Browser-safe part of the deployments loader (no node:fs): the app parses the record it is served.

/** The protocol contracts a deployment names, by the names `scripts/deploy.ts` writes. */
export const DEPLOYED_CONTRACTS = [
  "ComputeToken",
  "OracleCommittee",
  "OperatorStaking",
  "RewardsDistributor",
  "JobMarket",
  "TimelockController",
] as const;

export type DeployedContractName = (typeof DEPLOYED_CONTRACTS)[number];

/** `deployments/<chainId>.json`: where the protocol lives on one chain, and from which block. */
export interface Deployment {
  chainId: number;
  /** The Hardhat network name it was deployed with. */
  network: string;
  deployer: Address;
  /** The first block of the deployment: scan logs from here. */
  block: bigint;
  contracts: Record<DeployedContractName, Address>;
  /** The Ignition module's parameters, as decimal strings. */
  parameters: Record<string, string>;
}

/** A deployment file that is missing or malformed. */
export class DeploymentError extends RigelError {
  override readonly name = "DeploymentError";
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super("DEPLOYMENT_INVALID", message, { details, cause });
  }
}

/** Validates a parsed deployment record; every problem names its field. */
export function parseDeployment(value: unknown, source = "deployment"): Deployment {
  if (typeof value !== "object" || value === null) throw new DeploymentError(`${source}: not a JSON object`);
  const v = value as Record<string, unknown>;
  const chainId = v.chainId;
  if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new DeploymentError(`${source}: chainId must be a positive integer`, { chainId });
  }
  const block = v.block;
  if (typeof block !== "number" || !Number.isSafeInteger(block) || block < 0) {
    throw new DeploymentError(`${source}: block must be a non-negative integer`, { block });
  }
  if (typeof v.deployer !== "string" || !isAddress(v.deployer)) {
    throw new DeploymentError(`${source}: deployer must be an address`, { deployer: v.deployer });
  }
  const raw = (v.contracts ?? {}) as Record<string, unknown>;
  const contracts = {} as Record<DeployedContractName, Address>;
  for (const name of DEPLOYED_CONTRACTS) {
    const address = raw[name];
    if (typeof address !== "string" || !isAddress(address)) {
      throw new DeploymentError(`${source}: contracts.${name} must be an address`, { [name]: address });
    }
    contracts[name] = getAddress(address);
  }
  const parameters: Record<string, string> = {};
  for (const [k, p] of Object.entries((v.parameters ?? {}) as Record<string, unknown>)) parameters[k] = String(p);
  return {
    chainId,
    network: typeof v.network === "string" ? v.network : "unknown",
    deployer: getAddress(v.deployer),
    block: BigInt(block),
    contracts,
    parameters,
  };
}
