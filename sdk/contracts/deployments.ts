import fs from "node:fs";
import path from "node:path";
import { getAddress, isAddress, type Address } from "viem";
import { RigelError } from "../errors/RigelError";

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

/**
 * Reads `deployments/<chainId>.json` (written by `scripts/deploy.ts`) from `dir` (default: the
 * repository's `deployments/`), or the file given by `file`.
 */
export function loadDeployment(options: { chainId?: number; dir?: string; file?: string }): Deployment {
  const file =
    options.file ??
    path.join(options.dir ?? path.resolve(__dirname, "..", "..", "deployments"), `${options.chainId ?? 31337}.json`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new DeploymentError(
      `no deployment at ${file}: deploy first (npx hardhat run scripts/deploy.ts --network localhost)`,
      { file },
      err,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DeploymentError(`${file}: not valid JSON`, { file }, err);
  }
  const deployment = parseDeployment(json, file);
  if (options.chainId !== undefined && deployment.chainId !== options.chainId) {
    throw new DeploymentError(`${file}: records chain ${deployment.chainId}, expected ${options.chainId}`, {
      file,
      chainId: deployment.chainId,
    });
  }
  return deployment;
}
