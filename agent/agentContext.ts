import fs from "node:fs";
import path from "node:path";
import type { LocalAccount } from "viem";
import { rpcTransport } from "../sdk/chain/rpcTransport";
import { serviceAccount } from "../sdk/crypto/nativeSecp256k1";
import type { ExplainContext } from "../sdk/cli/explainError";
import { DeploymentError, loadDeployment, type Deployment } from "../sdk/contracts/deployments";
import { RigelError } from "../sdk/errors/RigelError";
import { createLogger, type LogFormat } from "../sdk/log/createLogger";
import { decryptKeystore } from "../sdk/keystore/keystore";
import { readKeystoreFile } from "../sdk/keystore/keystoreFile";
import { AgentChain } from "./chain/agentChain";
import { agentConfig, type AgentConfig } from "./config";

/** The operator account from the config: the keystore with its password, or a raw key. */
export function loadAccount(config: AgentConfig): LocalAccount {
  if (config.keystore) {
    if (!config.keystorePassword) {
      throw new RigelError(
        "AGENT_NO_PASSWORD",
        `the keystore needs its password in ${agentConfig.envName("keystorePassword")}`,
      );
    }
    const json = readKeystoreFile(config.keystore);
    return serviceAccount(decryptKeystore(json, config.keystorePassword));
  }
  if (config.privateKey) return serviceAccount(config.privateKey);
  throw new RigelError(
    "AGENT_NO_KEY",
    `no operator key: run 'rigel agent init', or set ${agentConfig.envName("keystore")} (+ ${agentConfig.envName("keystorePassword")}) or ${agentConfig.envName("privateKey")}`,
  );
}

/**
 * The protocol's deployment for the config: `deploymentFile`, else deployments/<chainId>.json; when
 * there is none, the error names the variable to set.
 */
export function loadAgentDeployment(config: AgentConfig): Deployment {
  try {
    return loadDeployment(
      config.deploymentFile ? { file: path.resolve(config.deploymentFile) } : { chainId: config.chainId },
    );
  } catch (err) {
    if (!(err instanceof DeploymentError)) throw err;
    const file = String(err.details.file ?? config.deploymentFile ?? `deployments/${config.chainId}.json`);
    if (fs.existsSync(file)) throw err;
    throw new RigelError(
      "AGENT_NO_DEPLOYMENT",
      `no deployment of the protocol at ${file}: set ${agentConfig.envName("deploymentFile")} (deploymentFile in the config) to the network's deployments/<chainId>.json, or ${agentConfig.envName("chainId")} to a chain this install has`,
    );
  }
}

/**
 * Loads the config (file, env, flags) and connects the operator account to the chain. `errorContext`
 * (a CLI command's) learns the RPC URL and the account, so that errors name them.
 */
export function loadAgent(
  flags: { config?: string },
  overrides: Record<string, unknown> = {},
  errorContext?: ExplainContext,
) {
  const file = flags.config ?? (fs.existsSync("rigel-agent.json") ? "rigel-agent.json" : undefined);
  const config = agentConfig.load({ file, overrides });
  if (errorContext) errorContext.rpcUrl = config.rpcUrl;
  const account = loadAccount(config);
  if (errorContext) errorContext.account = account.address;
  const deployment = loadAgentDeployment(config);
  const chain = new AgentChain({
    // Calls made in the same tick go as one JSON-RPC batch: the shard drivers' reads come in bursts.
    transport: rpcTransport(config.rpcUrl),
    account,
    deployment,
    feeBump: { bumpAfterMs: config.txBumpAfterMs, maxFeePerGas: BigInt(config.txMaxFeeGwei) * 10n ** 9n },
    logger: createLogger({ name: "agent", level: config.logLevel, format: config.logFormat as LogFormat }).child({
      layer: "chain",
    }),
  });
  return { config, account, chain, deployment };
}
