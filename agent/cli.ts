import fs from "node:fs";
import { useNativeCrypto } from "../sdk/crypto/useNativeCrypto";
import path from "node:path";
import Dockerode from "dockerode";
import {
  createPublicClient,
  erc20Abi,
  formatEther,
  http,
  formatUnits,
  getAddress,
  hexToString,
  isAddress,
  stringToHex,
  type Address,
} from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { operatorMetadataDataUri } from "../sdk/agentApi/metadata";
import { defineCommand, runCli, UsageError, type CliOutput, type CommandSpec } from "../sdk/cli/commands";
import { openDatabase } from "../sdk/db/openDatabase";
import { detectGpus } from "../sdk/gpu/detectGpus";
import { explainError } from "../sdk/cli/explainError";
import { RigelError } from "../sdk/errors/RigelError";
import { formatRgl } from "../sdk/cli/humanFormat";
import { parseAmountArg } from "../sdk/cli/parseAmount";
import { encryptKeystore } from "../sdk/keystore/keystore";
import { askNewPassword, MIN_PASSWORD_LENGTH, processTerminal } from "../sdk/keystore/promptPassword";
import { writeKeystoreFile } from "../sdk/keystore/keystoreFile";
import { createLogger, type LogFormat } from "../sdk/log/createLogger";
import { runDaemon } from "../sdk/service/runDaemon";
import { loadAgent, loadAgentDeployment } from "./agentContext";
import { agentConfig } from "./config";
import type { AgentChain } from "./chain/agentChain";
import { sandboxSettingsFromConfig } from "../sdk/executor/sandboxConfig";
import { AgentDaemon } from "./daemon/agentDaemon";
import { createProgress } from "./daemon/progress";
import { Journal, JOURNAL_MIGRATIONS } from "./journal/journal";
import { Offers, type Offer } from "./journal/offers";
import { OracleClient } from "../sdk/oracleApi/client";
import { generatorKeys, generateMatrix } from "../sdk/pow/generator";
import { indexerUrlFrom } from "../sdk/indexer/indexerUrl";
import { matmulInt8 } from "../sdk/pow/kernel";
import { answerCapacityChallenge } from "./capacity/answerCapacityChallenge";
import { createOracleGateway } from "./oracle/createOracleGateway";
import { indexedStatusRows } from "./status/indexedStatusRows";
import { devCheatFor } from "./work/devCheat";
import { devCrashFor } from "./work/devCrash";
import { AGENT_VERSION } from "./daemon/heartbeatPublisher";
import { readLiveStatus } from "./status/readLiveStatus";
import { doctorExitCode, formatDoctor, runDoctor } from "./doctor/checks";
import { machineProbes } from "./doctor/probes";
import {
  estimateFunding,
  formatEth,
  lowGasThreshold,
  operatorGas,
  readFundingInputs,
  type FundingEstimate,
} from "./doctor/fundingEstimate";

const configFlag = { type: "string", description: "agent config file (JSON)", value: "FILE" } as const;

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

const rgl = (wei: bigint) => `${formatEther(wei)} RGL`;

/**
 * Before a command sends a transaction: an account without ETH is told so in one sentence with the
 * address to fund (a node's own "insufficient funds" answer comes wrapped differently by each client).
 */
async function requireGas(chain: AgentChain): Promise<void> {
  if ((await chain.publicClient.getBalance({ address: chain.address })) === 0n)
    throw new RigelError("AGENT_NO_GAS", `this account has no ETH for gas: send some to ${chain.address}`);
}

/** A token's symbol, or its address when it has none. */
async function tokenLabel(chain: AgentChain, token: Address): Promise<string> {
  if (getAddress(token) === getAddress(chain.contracts.ComputeToken)) return "RGL";
  try {
    return await chain.publicClient.readContract({ address: token, abi: erc20Abi, functionName: "symbol" });
  } catch {
    return token;
  }
}

/** An amount in a token's own decimals (18 when it does not say). */
async function formatAmount(chain: AgentChain, token: Address, amount: bigint): Promise<string> {
  let decimals = 18;
  try {
    decimals = await chain.publicClient.readContract({ address: token, abi: erc20Abi, functionName: "decimals" });
  } catch {
    // not an ERC-20 metadata token: base units shown as 18 decimals
  }
  return `${formatUnits(amount, decimals)} ${await tokenLabel(chain, token)}`;
}

/** The keystore password for init: the environment (scripts), else asked twice on the terminal. */
async function newKeystorePassword(): Promise<string> {
  const fromEnv = process.env[agentConfig.envName("keystorePassword")] ?? process.env.RIGEL_KEYSTORE_PASSWORD;
  if (fromEnv !== undefined) {
    if (fromEnv.length < MIN_PASSWORD_LENGTH)
      throw new UsageError(
        "AGENT_USAGE",
        `the keystore password in ${agentConfig.envName("keystorePassword")} is shorter than ${MIN_PASSWORD_LENGTH} characters`,
      );
    return fromEnv;
  }
  const terminal = processTerminal();
  if (!terminal)
    throw new UsageError(
      "AGENT_USAGE",
      `no terminal to ask the keystore password on: set ${agentConfig.envName("keystorePassword")} (${MIN_PASSWORD_LENGTH}+ characters)`,
    );
  return askNewPassword(terminal);
}

/** What init prints after the files: how much to fund, where, and the commands that follow. */
export function initNextSteps(p: {
  operator: Address;
  config: string;
  funding: FundingEstimate | undefined;
  chain: string;
  program?: string;
}): string {
  const rigel = p.program ?? "rigel agent";
  const c = ` --config ${p.config}`;
  const stake = p.funding ? formatUnits(p.funding.rglWei, 18) : "<RGL>";
  const lines = ["", "", "Next steps", `1. Fund ${p.operator} on ${p.chain}:`];
  if (p.funding) {
    lines.push(`     ${formatEth(p.funding.ethWei).padEnd(18)} ${p.funding.ethReason}`);
    lines.push(`     ${formatRgl(p.funding.rglWei).padEnd(18)} ${p.funding.rglReason}`);
  } else {
    lines.push(
      `     ETH for gas: about ${operatorGas(10n).toLocaleString("en-US")} gas × the chain's fee × 2 (no chain answered to price it)`,
      "     RGL for the stake: 150 % of the largest shard you will take (the market's collateral ratio)",
    );
  }
  lines.push(
    `2. Check the node:    ${rigel} doctor${c}`,
    `3. Register:          ${rigel} register${c}`,
    `4. Stake:             ${rigel} stake --amount ${stake}${c}`,
    `5. Prove capacity:    ${rigel} benchmark${c}   (oracles: oracleUrls in the config or ${agentConfig.envName("oracleUrls")})`,
    `6. Run:               ${rigel} run${c}   (or the container: docs/OPERATORS.md)`,
    `   Watch:             ${rigel} status${c}`,
  );
  return lines.join("\n");
}

const init = defineCommand({
  name: "init",
  summary: "create (or import) an encrypted operator keystore, write the agent config, print how to fund it",
  flags: {
    config: { ...configFlag, default: "rigel-agent.json", description: "config file to write" },
    keystore: {
      type: "string",
      description: "keystore file to write",
      value: "FILE",
      default: "operator.keystore.json",
    },
    import: {
      type: "boolean",
      description: `import the key in ${agentConfig.envName("privateKey")} instead of creating one`,
    },
    "rpc-url": { type: "string", description: "JSON-RPC endpoint", value: "URL" },
    "oracle-urls": { type: "string", description: "oracle base URLs, comma-separated", value: "URLS" },
    port: { type: "string", description: "results service port", value: "PORT" },
    "public-url": { type: "string", description: "URL developers reach this agent at", value: "URL" },
    "data-dir": { type: "string", description: "journal and work directory", value: "DIR" },
    "shard-value": {
      type: "string",
      description: "value of the largest shard you will take, for the stake to fund",
      default: "100",
      value: "RGL",
    },
    shards: { type: "string", description: "shards of gas to fund", default: "10", value: "N" },
    force: { type: "boolean", description: "overwrite existing files" },
    json: { type: "boolean", description: "print the result as JSON (amounts in wei)" },
  },
  async run({ flags, out }) {
    for (const file of [flags.config!, flags.keystore!]) {
      if (fs.existsSync(file) && !flags.force)
        throw new UsageError("AGENT_USAGE", `${file} exists (use --force to overwrite)`);
    }
    const imported = process.env[agentConfig.envName("privateKey")];
    if (flags.import && !imported)
      throw new UsageError("AGENT_USAGE", `--import needs ${agentConfig.envName("privateKey")}`);
    const shardValue = parseAmountArg(flags["shard-value"]!, { decimals: 18, symbol: "RGL", flag: "--shard-value" });
    if (!/^\d+$/.test(flags.shards!)) throw new UsageError("AGENT_USAGE", "--shards must be a whole number");
    const password = await newKeystorePassword();
    const key = flags.import ? (imported as `0x${string}`) : generatePrivateKey();
    writeKeystoreFile(flags.keystore!, encryptKeystore(key, password));
    const config: Record<string, unknown> = { keystore: path.resolve(flags.keystore!) };
    if (flags["rpc-url"]) config.rpcUrl = flags["rpc-url"];
    if (flags["oracle-urls"]) config.oracleUrls = flags["oracle-urls"];
    if (flags.port) config.port = Number(flags.port);
    if (flags["public-url"]) config.publicUrl = flags["public-url"];
    if (flags["data-dir"]) config.dataDir = flags["data-dir"];
    const loaded = agentConfig.load({ overrides: config });
    fs.writeFileSync(flags.config!, JSON.stringify(config, null, 2) + "\n");
    const operator = privateKeyToAddress(key);

    // Priced at the chain's fees when one answers; the amounts without it otherwise.
    let funding: FundingEstimate | undefined;
    let chainName = `chain ${loaded.chainId} (${loaded.rpcUrl})`;
    try {
      const deployment = loadAgentDeployment(loaded);
      const client = createPublicClient({ transport: http(loaded.rpcUrl, { retryCount: 0, timeout: 5_000 }) });
      const inputs = await readFundingInputs(client, deployment.contracts.JobMarket);
      funding = estimateFunding({ ...inputs, shardValue, shards: BigInt(flags.shards!) });
      chainName = `chain ${deployment.chainId} (${loaded.rpcUrl})`;
    } catch (err) {
      out.info(`(could not price the funding: ${explainError(err).message})`);
    }
    if (flags.json) {
      out.result(
        JSON.stringify({
          operator,
          keystore: path.resolve(flags.keystore!),
          config: path.resolve(flags.config!),
          funding: funding && {
            ethWei: funding.ethWei.toString(),
            rglWei: funding.rglWei.toString(),
            gas: funding.gas.toString(),
          },
        }),
      );
      return;
    }
    out.result(
      table([
        ["operator", operator],
        ["keystore", path.resolve(flags.keystore!)],
        ["config", path.resolve(flags.config!)],
      ]) + initNextSteps({ operator, config: path.resolve(flags.config!), funding, chain: chainName }),
    );
  },
});

const register = defineCommand({
  name: "register",
  summary: "register as an operator (metadata: endpoint, region, GPUs as a data: URI, or --metadata-uri)",
  flags: {
    config: configFlag,
    "commission-bps": {
      type: "string",
      description: "commission on delegators' rewards (bps)",
      default: "1000",
      value: "BPS",
    },
    region: { type: "string", description: "region to announce", value: "REGION" },
    endpoint: { type: "string", description: "agent URL to announce (default: publicUrl)", value: "URL" },
    "metadata-uri": { type: "string", description: "use this metadata URI instead of building one", value: "URI" },
    update: { type: "boolean", description: "update the metadata of a registered operator" },
  },
  async run({ flags, out, errorContext }) {
    const { config, chain } = loadAgent(flags, {}, errorContext);
    await requireGas(chain);
    let uri = flags["metadata-uri"];
    if (!uri) {
      const gpus = await detectGpus().catch(() => []);
      const byModel = new Map<string, { model: string; vramMiB: number; count: number }>();
      for (const g of gpus) {
        const e = byModel.get(g.model) ?? { model: g.model, vramMiB: g.vramMiB, count: 0 };
        e.count += 1;
        byModel.set(g.model, e);
      }
      uri = operatorMetadataDataUri({
        version: 1,
        endpoint: flags.endpoint ?? config.publicUrl ?? `http://${config.host}:${config.port}`,
        region: flags.region ?? config.region,
        gpus: [...byModel.values()],
      });
    }
    const tx = flags.update
      ? await chain.updateMetadata(uri)
      : await chain.register(uri, Number(flags["commission-bps"]));
    out.result(
      table([
        ["operator", chain.address],
        ["metadata", uri.length > 80 ? `${uri.slice(0, 77)}...` : uri],
        ["tx", tx.hash],
      ]),
    );
  },
});

const amountFlag = {
  type: "string",
  description: 'amount of RGL ("1000.5", "1000.5 RGL"; "5wei" in wei)',
  value: "RGL",
} as const;
const needAmount = (v: string | undefined) => {
  if (!v) throw new UsageError("AGENT_USAGE", "--amount is needed (RGL, e.g. --amount 1000)");
  const amount = parseAmountArg(v, { decimals: 18, symbol: "RGL", flag: "--amount" });
  if (amount <= 0n) throw new UsageError("AGENT_USAGE", "--amount must be more than 0 RGL");
  return amount;
};

const stake = defineCommand({
  name: "stake",
  summary: "add RGL to the operator's self-stake (approves the staking contract first if needed)",
  flags: { config: configFlag, amount: amountFlag },
  async run({ flags, out, errorContext }) {
    const amount = needAmount(flags.amount);
    const { chain } = loadAgent(flags, {}, errorContext);
    await requireGas(chain);
    const tx = await chain.stake(amount);
    out.result(`staked ${rgl(amount)} (tx ${tx.hash})`);
  },
});

const unstake = defineCommand({
  name: "unstake",
  summary: "start thawing free self-stake (withdraw after the unbonding period)",
  flags: { config: configFlag, amount: amountFlag },
  async run({ flags, out, errorContext }) {
    const amount = needAmount(flags.amount);
    const { chain } = loadAgent(flags, {}, errorContext);
    await requireGas(chain);
    const tx = await chain.requestUnstake(amount);
    const info = await chain.operatorInfo();
    out.result(
      `thawing ${rgl(info.selfThawing)} until ${new Date(Number(info.selfThawEnd) * 1000).toISOString()} (tx ${tx.hash})`,
    );
  },
});

const withdrawStake = defineCommand({
  name: "withdraw-stake",
  summary: "withdraw thawed self-stake",
  flags: { config: configFlag },
  async run({ flags, out, errorContext }) {
    const { chain } = loadAgent(flags, {}, errorContext);
    await requireGas(chain);
    const before = await chain.rglBalance();
    const tx = await chain.withdrawStake();
    out.result(`withdrew ${rgl((await chain.rglBalance()) - before)} (tx ${tx.hash})`);
  },
});

/** The tokens to look at: `--token`, else every token the market allowlisted (RGL included). */
async function tokensOf(chain: AgentChain, token: string | undefined): Promise<Address[]> {
  if (token === undefined) return chain.knownPaymentTokens();
  if (!isAddress(token)) throw new UsageError("AGENT_USAGE", `--token must be an address, not "${token}"`);
  return [getAddress(token)];
}

const withdraw = defineCommand({
  name: "withdraw",
  summary: "withdraw what the market owes this operator (pull payments): one token, or every token owed",
  flags: {
    config: configFlag,
    token: { type: "string", description: "payment token (default: every token owed)", value: "ADDRESS" },
    to: { type: "string", description: "recipient (default: the operator)", value: "ADDRESS" },
  },
  async run({ flags, out, errorContext }) {
    if (flags.to !== undefined && !isAddress(flags.to))
      throw new UsageError("AGENT_USAGE", `--to must be an address, not "${flags.to}"`);
    if (flags.token !== undefined && !isAddress(flags.token))
      throw new UsageError("AGENT_USAGE", `--token must be an address, not "${flags.token}"`);
    const { chain } = loadAgent(flags, {}, errorContext);
    const to = flags.to === undefined ? chain.address : getAddress(flags.to);
    const rows: [string, string][] = [];
    for (const token of await tokensOf(chain, flags.token)) {
      const owed = await chain.owedOf(token);
      if (owed === 0n) continue;
      if (rows.length === 0) await requireGas(chain);
      const tx = await chain.withdraw(token, to);
      rows.push([await tokenLabel(chain, token), `${await formatAmount(chain, token, owed)} to ${to} (tx ${tx.hash})`]);
    }
    out.result(rows.length > 0 ? table(rows) : "nothing owed");
  },
});

const claim = defineCommand({
  name: "claim",
  summary: "claim the operator's RGL rewards",
  flags: { config: configFlag },
  async run({ flags, out, errorContext }) {
    const { chain } = loadAgent(flags, {}, errorContext);
    const claimable = await chain.claimableRewards();
    if (claimable === 0n) {
      out.result("nothing to claim");
      return;
    }
    await requireGas(chain);
    const tx = await chain.claimRewards();
    out.result(`claimed ${rgl(claimable)} (tx ${tx.hash})`);
  },
});

const status = defineCommand({
  name: "status",
  summary: "stake, locks, capacity, jobs, earnings and rewards in a table",
  flags: {
    config: configFlag,
    indexer: {
      type: "string",
      value: "URL",
      description: "add rewards per epoch and shard outcomes from the Rigel indexer (default RIGEL_INDEXER_URL)",
    },
  },
  async run({ flags, out, errorContext }) {
    const { config, chain, deployment } = loadAgent(flags, {}, errorContext);
    const indexerUrl = indexerUrlFrom(flags.indexer);
    const [info, capacity, stats, record, claimable, balance, tokens, ethBalance, fees] = await Promise.all([
      chain.operatorInfo(),
      chain.capacityOf(),
      chain.operatorStats(),
      chain.operatorRecord(),
      chain.claimableRewards(),
      chain.rglBalance(),
      chain.knownPaymentTokens(),
      chain.publicClient.getBalance({ address: chain.address }),
      chain.publicClient.estimateFeesPerGas(),
    ]);
    const lowGas = lowGasThreshold(fees.maxFeePerGas);
    const owed: [string, string][] = [];
    for (const token of tokens) {
      const amount = await chain.owedOf(token);
      if (amount > 0n) owed.push([`owed ${await tokenLabel(chain, token)}`, await formatAmount(chain, token, amount)]);
    }
    const journalFile = path.join(config.dataDir, "journal.db");
    let counts: ReturnType<Journal["countsByState"]> = {};
    let declined: Offer[] = [];
    if (fs.existsSync(journalFile)) {
      const db = openDatabase({ file: journalFile, migrations: JOURNAL_MIGRATIONS });
      counts = new Journal(db).countsByState();
      declined = new Offers(db).recentDeclined(5);
      db.close();
    }
    const model =
      capacity.gpuModel === `0x${"0".repeat(64)}`
        ? "-"
        : hexToString(capacity.gpuModel, { size: 32 }).replace(/\0+$/, "");
    out.result(
      table([
        ["operator", chain.address],
        ["registered", String(info.registered)],
        [
          "ETH (gas)",
          `${formatEth(ethBalance)}${ethBalance < lowGas ? ` — LOW: below ${formatEth(lowGas)} (5 shards' transactions at today's fees); send ETH to ${chain.address}` : ""}`,
        ],
        ["wallet", rgl(balance)],
        ["self-stake", rgl(info.selfStake)],
        ["locked (collateral)", rgl(info.lockedStake)],
        ["free", rgl(info.selfStake - info.lockedStake)],
        [
          "thawing",
          `${rgl(info.selfThawing)}${info.selfThawing > 0n ? ` until ${new Date(Number(info.selfThawEnd) * 1000).toISOString()}` : ""}`,
        ],
        ["delegated", rgl(info.poolTokens)],
        ["commission", `${info.commissionBps} bps`],
        ["jailed until", info.jailedUntil > 0n ? new Date(Number(info.jailedUntil) * 1000).toISOString() : "-"],
        [
          "capacity",
          capacity.validUntil > 0n
            ? `${capacity.opsPerSec} ops/s, ${capacity.vramMiB} MiB, ${model}, valid until ${new Date(Number(capacity.validUntil) * 1000).toISOString()}`
            : "none",
        ],
        ["jobs settled/failed/no-show", `${record.settled}/${record.failed}/${record.noShows}`],
        ["developer fault (journal)", String(counts.developerFault ?? 0)],
        ["slashed", rgl(record.slashed)],
        ...(owed.length > 0 ? owed : [["owed (earnings)", "nothing"] as [string, string]]),
        ["rewards earned", rgl(stats.earned)],
        ["rewards claimable", rgl(claimable)],
        [
          "rewards vesting",
          stats.vesting > 0n
            ? `${rgl(stats.vesting)} until ${new Date(Number(stats.vestedBy) * 1000).toISOString()}`
            : rgl(0n),
        ],
        [
          "journal",
          Object.entries(counts)
            .map(([s, n]) => `${s}=${n}`)
            .join(" ") || "empty",
        ],
        ...declined.map((o): [string, string] => [`declined ${o.jobId}/${o.shard}`, o.reason ?? "-"]),
        ...(indexerUrl ? await indexedStatusRows(indexerUrl, chain.address, rgl) : []),
        ...(await readLiveStatus({
          publicClient: chain.publicClient,
          deployment,
          operator: chain.address,
          oracleUrls: config.oracleUrls
            .split(",")
            .map((u) => u.trim())
            .filter(Boolean),
        })),
      ]),
    );
  },
});

/** `autoWithdrawMin` as base units: a non-negative integer (0: never). */
function autoWithdrawMinOf(v: string): bigint {
  if (!/^\d+$/.test(v.trim()))
    throw new UsageError("AGENT_USAGE", `autoWithdrawMin must be a whole number of base units, not "${v}"`);
  return BigInt(v.trim());
}

/** The CPU kernel's threads from the config: 0 means every core (the kernel's default). */
const cpuThreadsOf = (config: { cpuThreads: number }) => (config.cpuThreads > 0 ? config.cpuThreads : undefined);

/** A quick local measurement: 2·n³ over the time of one n³ CPU matmul (what to claim without a GPU). */
async function measureCpuOpsPerSec(threads: number | undefined, n = 512): Promise<bigint> {
  const keys = generatorKeys(`0x${"42".repeat(32)}`);
  const a = generateMatrix(keys.a, n, n);
  const b = generateMatrix(keys.b, n, n);
  const started = performance.now();
  await matmulInt8(a, b, { m: n, n, k: n }, { threads });
  return BigInt(Math.floor((2 * n ** 3) / ((performance.now() - started) / 1000)));
}

const benchmark = defineCommand({
  name: "benchmark",
  summary: "run a capacity challenge with the oracles and record the attested capacity on-chain",
  flags: {
    config: configFlag,
    oracle: { type: "string", description: "oracle to ask (default: the first of oracleUrls)", value: "URL" },
    "claimed-ops": { type: "string", description: "claimed ops/s (default: measured here)", value: "N" },
    "vram-mib": { type: "string", description: "VRAM to claim (default: nvidia-smi, or 0)", value: "MIB" },
    "gpu-model": { type: "string", description: "GPU model to claim (default: nvidia-smi, or CPU)", value: "NAME" },
  },
  async run({ flags, out, errorContext }) {
    const { config, chain, account } = loadAgent(flags, {}, errorContext);
    await requireGas(chain);
    const url = flags.oracle ?? config.oracleUrls.split(",")[0]?.trim();
    if (!url) throw new UsageError("AGENT_USAGE", "no oracle: pass --oracle or set RIGEL_AGENT_ORACLE_URLS");
    const gpus = await detectGpus().catch(() => []);
    const device = config.device === "auto" ? (gpus.length > 0 ? "cuda" : "cpu") : (config.device as "cpu" | "cuda");
    const claimed = flags["claimed-ops"]
      ? BigInt(flags["claimed-ops"])
      : await measureCpuOpsPerSec(cpuThreadsOf(config));
    const client = new OracleClient({ baseUrl: url, account });
    out.info(`asking ${url} for a challenge sized for ${claimed} ops/s (device ${device})`);
    const challenge = await client.requestChallenge({
      operator: chain.address,
      claimedOpsPerSec: claimed.toString(),
      vramMiB: flags["vram-mib"] ? Number(flags["vram-mib"]) : (gpus[0]?.vramMiB ?? 0),
      gpuModel: stringToHex((flags["gpu-model"] ?? gpus[0]?.model ?? "CPU").slice(0, 32), { size: 32 }),
    });
    out.info(
      `challenge ${challenge.challengeId}: ${challenge.m}×${challenge.n}×${challenge.k}, deadline in ${challenge.deadlineMs - Date.now()} ms`,
    );
    const r = await answerCapacityChallenge({
      client,
      challenge,
      chain,
      device,
      pythonPath: config.pythonPath,
      cpuThreads: cpuThreadsOf(config),
    });
    out.result(
      table([
        ["challenge", r.challengeId],
        ["workload", `${challenge.m}×${challenge.n}×${challenge.k} on ${device}`],
        ["compute", `${r.computeSeconds.toFixed(3)} s`],
        ["attested", `${r.opsPerSec} ops/s`],
        ["recorded", r.recordTx],
      ]),
    );
  },
});

const doctor = defineCommand({
  name: "doctor",
  summary:
    "check this node: key, chain and deployment, ETH for gas, stake, registration, Docker, GPU, Python, oracles, port",
  flags: {
    config: configFlag,
    "shard-value": {
      type: "string",
      description: "value of the largest shard you will take (the stake must cover its collateral)",
      default: "100",
      value: "RGL",
    },
    json: { type: "boolean", description: "print the checks as JSON" },
  },
  async run({ flags, out, errorContext }) {
    const file = flags.config ?? (fs.existsSync("rigel-agent.json") ? "rigel-agent.json" : undefined);
    const config = agentConfig.load({ file });
    if (errorContext) errorContext.rpcUrl = config.rpcUrl;
    const shardValue = parseAmountArg(flags["shard-value"]!, { decimals: 18, symbol: "RGL", flag: "--shard-value" });
    const list = (v: string) =>
      v
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);
    const results = await runDoctor(machineProbes(config), {
      rpcUrl: config.rpcUrl,
      host: config.host,
      port: config.port,
      oracleUrls: list(config.oracleUrls),
      kinds: list(config.kinds),
      device: config.device,
      pythonPath: config.pythonPath,
      sandboxRuntime: config.sandboxRuntime,
      shardValue,
    });
    out.result(
      flags.json ? JSON.stringify({ ok: doctorExitCode(results) === 0, checks: results }) : formatDoctor(results),
    );
    return doctorExitCode(results);
  },
});

const run = defineCommand({
  name: "run",
  summary: "run the agent daemon: watch jobs, take shards, run, prove, settle, claim, serve results",
  flags: {
    config: configFlag,
    "log-format": { type: "string", description: "human (default) or json (config logFormat)", value: "FORMAT" },
  },
  async run({ flags, errorContext }) {
    const format = flags["log-format"];
    if (format !== undefined && format !== "human" && format !== "json")
      throw new UsageError("AGENT_USAGE", `--log-format is human or json, not "${format}"`);
    const { config, chain } = loadAgent(flags, format ? { logFormat: format } : {}, errorContext);
    const logger = createLogger({ name: "agent", level: config.logLevel, format: config.logFormat as LogFormat });
    logger.info({ config: agentConfig.redact(config) }, "configuration");
    const daemon = new AgentDaemon({
      chain,
      oracle: createOracleGateway({
        urls: config.oracleUrls,
        account: chain.account,
        chain,
        logger,
        claimFirstQuorum: config.claimFirstQuorum,
      }),
      docker: new Dockerode(),
      logger,
      dataDir: config.dataDir,
      host: config.host,
      port: config.port,
      publicUrl: config.publicUrl,
      policy: {
        kinds: config.kinds
          .split(",")
          .map((k) => k.trim())
          .filter(Boolean) as ("matmul-int8" | "container" | "llm-inference")[],
        minPricePerUnit: BigInt(config.minPricePerUnit),
        paymentTokens: config.paymentTokens
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean) as `0x${string}`[],
        maxShardsPerGpu: config.maxShardsPerGpu,
        maxProofBytes: config.maxProofBytes,
        cpuSlots: config.cpuSlots,
      },
      device: config.device as "auto" | "cpu" | "cuda",
      pythonPath: config.pythonPath,
      inferTimeoutSec: config.inferTimeoutSec,
      cpuThreads: cpuThreadsOf(config),
      claimIntervalSec: config.claimIntervalSec,
      submitMarginSec: config.submitMarginSec,
      admissionConcurrency: config.admissionConcurrency,
      submitMaxBatch: config.submitMaxBatch,
      submitMaxDelayMs: config.submitMaxDelayMs,
      computeBeforeAccept: config.computeBeforeAccept === "assigned",
      settleDelaySec: config.settleDelaySec,
      claims: { enabled: config.claims, timeoutSec: config.claimTimeoutSec },
      autoWithdraw: { min: autoWithdrawMinOf(config.autoWithdrawMin), to: config.withdrawTo },
      confirmations: config.confirmations,
      metricsToken: config.metricsToken,
      heartbeats: {
        oracleUrls: config.oracleUrls
          .split(",")
          .map((u) => u.trim())
          .filter(Boolean),
        intervalMs: config.heartbeatIntervalMs,
        agentVersion: AGENT_VERSION,
      },
      allowRemoteHosts: config.allowRemoteHosts,
      inputFileRoots: config.inputFileRoots
        .split(",")
        .map((r) => r.trim())
        .filter(Boolean),
      pullImages: config.pullImages,
      sandbox: sandboxSettingsFromConfig(config),
      inputCacheMaxBytes: config.inputCacheMaxMiB > 0 ? config.inputCacheMaxMiB * 1024 * 1024 : undefined,
      devCheat: devCheatFor(config.devCheat, chain.chainId),
      afterJournalTransition: devCrashFor(config.devCrashAfter, chain.chainId),
      detectGpus: () => detectGpus(),
      progress: createProgress(),
      capacity:
        config.capacityPollSec > 0
          ? {
              clients: config.oracleUrls
                .split(",")
                .map((u) => u.trim())
                .filter(Boolean)
                .map((baseUrl) => new OracleClient({ baseUrl, account: chain.account })),
              pollSec: config.capacityPollSec,
            }
          : undefined,
    });
    await runDaemon({ daemon, logger, intervalMs: config.pollIntervalMs }).done;
    return 0;
  },
});

export const AGENT_COMMANDS: CommandSpec[] = [
  init,
  register,
  stake,
  unstake,
  withdraw,
  withdrawStake,
  status,
  claim,
  benchmark,
  doctor,
  run,
] as CommandSpec[];

/** `rigel agent <command>`: the operator's CLI. */
export function main(argv: string[], out?: CliOutput): Promise<number> {
  // Request bodies (proofs of tens of kilobytes) are hashed, and signers recovered, natively: over a
  // third of the services' CPU under load (PROTOCOL §20.8).
  useNativeCrypto();
  return runCli({
    program: "rigel agent",
    summary: `The Rigel operator agent. Configuration: --config FILE, then RIGEL_AGENT_* variables:\n${agentConfig.describe().join("\n")}`,
    commands: AGENT_COMMANDS,
    argv,
    out,
  });
}
