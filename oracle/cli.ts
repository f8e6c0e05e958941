import fs from "node:fs";
import { serviceAccount } from "../sdk/crypto/nativeSecp256k1";
import { useNativeCrypto } from "../sdk/crypto/useNativeCrypto";
import path from "node:path";
import { createPublicClient, createWalletClient, defineChain, type Hex, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { defineCommand, runCli, UsageError, type CliOutput } from "../sdk/cli/commands";
import { loadDeployment } from "../sdk/contracts/deployments";
import { RigelError } from "../sdk/errors/RigelError";
import { confirmationsFor } from "../sdk/chain/logFollower";
import { rpcTransport } from "../sdk/chain/rpcTransport";
import { readSignedDigestFile, SignedDigestLog, signedDigestLogPath } from "./attest/signedDigestLog";
import { decryptKeystore, encryptKeystore } from "../sdk/keystore/keystore";
import { readKeystoreFile, writeKeystoreFile } from "../sdk/keystore/keystoreFile";
import { createLogger } from "../sdk/log/createLogger";
import { runDaemon } from "../sdk/service/runDaemon";
import { oracleConfig, type OracleConfig } from "./config";
import { OracleNode } from "./oracleNode";
import type { DockerClient } from "../sdk/executor/dockerClient";
import { prepareSandbox, type PreparedSandbox } from "../sdk/executor/prepareSandbox";
import type { IptablesRunner } from "../sdk/executor/publicBridgeNetwork";
import { sandboxSettingsFromConfig } from "../sdk/executor/sandboxConfig";
import type { Logger } from "../sdk/log/createLogger";
import { llmItemVerifier } from "./verify/llmItemVerifier";
import { dockerItemVerifier } from "./verify/dockerItemVerifier";
import { resolveContainerExecutor, type ContainerExecutorSetting } from "./verify/resolveContainerExecutor";
import Dockerode from "dockerode";

/** The signer key: `signerKey` (env RIGEL_ORACLE_SIGNER_KEY) or the encrypted `keystore` with its password. */
export function loadSignerKey(config: OracleConfig): Hex {
  if (config.signerKey) return config.signerKey;
  if (!config.keystore) {
    throw new UsageError(
      "ORACLE_NO_KEY",
      `set ${oracleConfig.envName("signerKey")} or ${oracleConfig.envName("keystore")}`,
    );
  }
  if (!config.keystorePassword) {
    throw new UsageError("ORACLE_NO_KEY", `${oracleConfig.envName("keystorePassword")} is needed to open the keystore`);
  }
  return decryptKeystore(readKeystoreFile(config.keystore), config.keystorePassword);
}

/** Splits a comma-separated list option, dropping empty entries. */
const listOf = (value: string): string[] =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** The Docker calls the oracle makes at start: the ping, the sandbox's runtime check and public bridge. */
export type OracleDocker = DockerClient & Pick<Dockerode, "ping" | "info" | "getNetwork" | "createNetwork">;

/**
 * The sandbox re-runs run under (PROTOCOL §12.5), from the `sandbox*` keys the agent has too: the
 * runtime checked against `docker info` (a runtime the engine lacks stops the oracle at start,
 * `SandboxRuntimeError`), the filtered public bridge set up when `sandboxNetworks` allows `bridge`
 * (when it cannot be, `ceilings.bridgeUnavailable` says why and `bridge` jobs are answered 422 with
 * that reason), the registries images may come from.
 * @throws ConfigError for a bad `sandbox*` value, SandboxRuntimeError.
 */
export function prepareOracleSandbox(
  config: OracleConfig,
  docker: Pick<Dockerode, "info" | "getNetwork" | "createNetwork">,
  logger: Logger,
  iptables?: IptablesRunner,
): Promise<PreparedSandbox> {
  return prepareSandbox(docker, sandboxSettingsFromConfig(config), logger, iptables);
}

/**
 * Builds a node from a loaded configuration (HTTP JSON-RPC, deployments/<chainId>.json). With
 * `containerExecutor` auto it pings the Docker engine (`docker`, default `new Dockerode()`) first;
 * with the executor on, it prepares the re-runs' sandbox ({@link prepareOracleSandbox}).
 */
export async function createOracleNodeFromConfig(
  config: OracleConfig,
  options: { docker?: OracleDocker } = {},
): Promise<OracleNode> {
  sandboxSettingsFromConfig(config); // a bad sandbox value stops the node before anything starts
  const deployment = loadDeployment({ chainId: config.chainId, dir: path.resolve(config.deploymentsDir) });
  const account = serviceAccount(loadSignerKey(config));
  const chain = defineChain({
    id: config.chainId,
    name: `chain-${config.chainId}`,
    nativeCurrency: { name: "ETH", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
  // Batched JSON-RPC (a proof's shard, job and block reads, a sweep pass, go as one request), 30 s timeout.
  const transport = rpcTransport(config.rpcUrl);
  const logger = createLogger({ name: "oracle", level: config.logLevel });
  logger.info({ config: oracleConfig.redact(config), signer: account.address }, "oracle configuration");
  const docker = options.docker ?? new Dockerode();
  const executor = await resolveContainerExecutor({
    setting: config.containerExecutor as ContainerExecutorSetting,
    ping: () => docker.ping(),
  });
  logger.info(
    { containerExecutor: executor.enabled, dockerAnswered: executor.dockerAnswered, reason: executor.reason },
    executor.enabled
      ? "container executor on: sampled container items are re-run with Docker"
      : "container executor off: container proofs are answered 422 ORACLE_UNSUPPORTED",
  );
  const sandbox = executor.enabled
    ? await prepareOracleSandbox(config, docker, logger.child({ layer: "sandbox" }))
    : undefined;
  return new OracleNode({
    account,
    // Receipts and watched blocks polled at the node's own pace (viem's default is 4 s: a relay's
    // settleVerdicts waited up to that long for its receipt on an interval-mined chain).
    publicClient: createPublicClient({
      chain,
      transport,
      pollingInterval: Math.min(config.pollMs, 1000),
    }) as PublicClient,
    walletClient: config.relay ? createWalletClient({ account, chain, transport }) : undefined,
    chainId: config.chainId,
    market: deployment.contracts.JobMarket,
    committee: deployment.contracts.OracleCommittee,
    logger,
    dataDir: config.dataDir,
    host: config.host,
    port: config.port,
    peers: listOf(config.peers),
    relay: config.relay,
    relayValid: config.relayValid,
    batchMaxSize: config.batchMaxSize,
    batchMaxDelayMs: config.batchMaxDelayMs,
    startBlock: config.startBlock > 0 ? BigInt(config.startBlock) : deployment.block,
    deploymentBlock: deployment.block,
    revealWindowSec: config.revealWindowSec,
    claimMarginSec: config.claimMarginSec,
    bodyLimit: config.bodyLimit,
    ratePerMinute: config.ratePerMinute,
    ratePerAddressPerMinute: config.ratePerAddressPerMinute,
    bodyTimeoutMs: config.bodyTimeoutSec * 1000,
    metrics: metricsAccess(config),
    metricsPort: config.metricsPort > 0 ? config.metricsPort : undefined,
    metricsHost: config.metricsHost,
    specSources: { allowRemoteHosts: config.allowRemoteInputHosts, fileRoots: listOf(config.inputFileRoots) },
    signLog: signedDigestLogPath(config),
    confirmations: confirmationsFor(config.confirmations, config.chainId),
    capacityRounds:
      config.capacityRoundSec > 0
        ? { staking: deployment.contracts.OperatorStaking, meanIntervalSec: config.capacityRoundSec }
        : undefined,
    containerVerifier: sandbox
      ? dockerItemVerifier({
          docker,
          workDir: config.workDir ?? path.join(config.dataDir, "work"),
          logger: logger.child({ layer: "container-verifier" }),
          pull: config.containerPullImages,
          gpus: config.containerGpus,
          allowRemoteInputHosts: config.allowRemoteInputHosts,
          allowedFileRoots: listOf(config.inputFileRoots),
          rerunQueueMax: config.rerunQueueMax,
          rerunConcurrency: config.rerunConcurrency,
          sandbox: sandbox.executor,
          ceilings: sandbox.ceilings,
        })
      : undefined,
    llmVerifier: llmItemVerifier({
      workDir: config.workDir ?? path.join(config.dataDir, "work"),
      logger: logger.child({ layer: "llm-verifier" }),
      pythonPath: config.pythonPath,
      timeoutMs: config.inferTimeoutSec * 1000,
      allowRemoteHosts: config.allowRemoteInputHosts,
      allowedFileRoots: listOf(config.inputFileRoots),
      queueMax: config.rerunQueueMax,
      concurrency: config.rerunConcurrency,
    }),
  });
}

/** Who may read `/metrics` on the public port (a token setting without a token is a configuration error). */
function metricsAccess(config: OracleConfig): "public" | "off" | { bearerToken: string } {
  if (config.metrics !== "token") return config.metrics as "public" | "off";
  if (config.metricsToken.length < 16)
    throw new RigelError("ORACLE_CONFIG", "metrics=token needs a metricsToken of at least 16 characters");
  return { bearerToken: config.metricsToken };
}

const configFlag = {
  type: "string",
  description: "JSON config file (keys as in `rigel oracle config`)",
  value: "FILE",
} as const;

const start = defineCommand({
  name: "start",
  summary: "run the oracle node until SIGTERM",
  flags: { config: configFlag },
  async run({ flags }) {
    const config = oracleConfig.load({ file: flags.config });
    const node = await createOracleNodeFromConfig(config);
    const logger = createLogger({ name: "oracle", level: config.logLevel });
    await runDaemon({ daemon: node, logger, intervalMs: config.pollMs }).done;
    return 0;
  },
});

const init = defineCommand({
  name: "init",
  summary: "create an encrypted keystore for the signer key (a new key, or the one in RIGEL_ORACLE_SIGNER_KEY)",
  flags: {
    out: { type: "string", description: "keystore file to write", value: "FILE", default: "data/oracle/keystore.json" },
    "password-file": {
      type: "string",
      description: "file holding the password (else RIGEL_ORACLE_KEYSTORE_PASSWORD)",
      value: "FILE",
    },
    import: { type: "boolean", description: "encrypt RIGEL_ORACLE_SIGNER_KEY instead of a new key" },
  },
  async run({ flags, out }) {
    const file = flags.out as string;
    if (fs.existsSync(file)) throw new UsageError("ORACLE_KEYSTORE_EXISTS", `${file} exists; not overwriting it`);
    const passwordFile = flags["password-file"];
    const password = passwordFile
      ? fs.readFileSync(passwordFile, "utf8").trim()
      : process.env[oracleConfig.envName("keystorePassword")];
    if (!password) throw new UsageError("ORACLE_NO_PASSWORD", "give --password-file or RIGEL_ORACLE_KEYSTORE_PASSWORD");
    let key: Hex;
    if (flags.import) {
      const env = process.env[oracleConfig.envName("signerKey")];
      if (!env || !/^0x[0-9a-fA-F]{64}$/.test(env))
        throw new UsageError("ORACLE_NO_KEY", "RIGEL_ORACLE_SIGNER_KEY is not a key");
      key = env as Hex;
    } else key = generatePrivateKey();
    writeKeystoreFile(file, encryptKeystore(key, password));
    out.result(JSON.stringify({ keystore: file, signer: privateKeyToAccount(key).address }));
    return 0;
  },
});

const config = defineCommand({
  name: "config",
  summary: "list every configuration key (env name, type, default), or check a config with --check",
  flags: {
    config: configFlag,
    check: { type: "boolean", description: "load and validate, print the redacted values" },
  },
  async run({ flags, out }) {
    if (!flags.check) {
      out.result(oracleConfig.describe().join("\n"));
      return 0;
    }
    // A bad config throws: runCli prints it as `error: …` with exit 1.
    out.result(JSON.stringify(oracleConfig.redact(oracleConfig.load({ file: flags.config })), null, 2));
    return 0;
  },
});

/** Runs `use` on the signed-digest log a configuration names (PROTOCOL §18.5) and closes the log. */
function withSignLog<T>(file: string | undefined, use: (log: SignedDigestLog) => T): T {
  const log = new SignedDigestLog(signedDigestLogPath(oracleConfig.load({ file })));
  try {
    return use(log);
  } finally {
    log.close();
  }
}

const signlogExport = defineCommand({
  name: "export",
  summary: "copy the signed-digest log (one line per subject) to a file, for a node that takes over the key",
  flags: {
    config: configFlag,
    out: { type: "string", description: "file to write (must not exist)", value: "FILE" },
  },
  async run({ flags, out }) {
    if (!flags.out) throw new UsageError("ORACLE_SIGN_LOG_USAGE", "--out FILE is required");
    if (fs.existsSync(flags.out))
      throw new UsageError("ORACLE_SIGN_LOG_EXISTS", `${flags.out} exists; not overwriting it`);
    const file = flags.out;
    withSignLog(flags.config, (log) => {
      const entries = log.entries();
      fs.writeFileSync(file, entries.map((e) => JSON.stringify(e) + "\n").join(""), { mode: 0o600 });
      out.result(JSON.stringify({ log: log.file, out: file, subjects: entries.length }));
    });
    return 0;
  },
});

const signlogImport = defineCommand({
  name: "import",
  summary: "merge an exported signed-digest log into this node's (a subject with another digest is an error)",
  flags: {
    config: configFlag,
    file: { type: "string", description: "the exported log to merge", value: "FILE" },
  },
  async run({ flags, out }) {
    if (!flags.file) throw new UsageError("ORACLE_SIGN_LOG_USAGE", "--file FILE is required");
    const entries = readSignedDigestFile(flags.file);
    withSignLog(flags.config, (log) => {
      const added = log.merge(entries);
      out.result(JSON.stringify({ log: log.file, imported: entries.length, added }));
    });
    return 0;
  },
});

const SIGNLOG_COMMANDS = [signlogExport, signlogImport];
const SIGNLOG_PROGRAM = {
  program: "rigel oracle signlog",
  summary:
    "The signed-digest log that travels with the signer key (docs/PROTOCOL.md §18.5): export it from one node, import it into another before it signs with the same key.",
};

/** Listed among the commands; `main` hands `signlog …` to its own sub-commands. */
const signlog = defineCommand({
  name: "signlog",
  summary: "export or import the signed-digest log (rigel oracle signlog <export|import> --help)",
  flags: {},
  run: ({ out }) => runCli({ ...SIGNLOG_PROGRAM, commands: SIGNLOG_COMMANDS, argv: [], out }),
});

/** `rigel oracle <command>`. */
export function main(argv: string[], output?: CliOutput): Promise<number> {
  // Request bodies (proofs of tens of kilobytes) are hashed, and signers recovered, natively: over a
  // third of the services' CPU under load (PROTOCOL §20.8).
  useNativeCrypto();
  if (argv[0] === "signlog")
    return runCli({ ...SIGNLOG_PROGRAM, commands: SIGNLOG_COMMANDS, argv: argv.slice(1), out: output });
  return runCli({
    program: "rigel oracle",
    summary: "An oracle node of the Rigel committee: verifies proofs of GPU work and signs attestations.",
    commands: [start, init, config, signlog],
    argv,
    out: output,
  });
}
