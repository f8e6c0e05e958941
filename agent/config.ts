import { defineConfig, type ConfigValues } from "../sdk/config/defineConfig";
import { SANDBOX_CONFIG_OPTIONS } from "../sdk/executor/sandboxConfig";
import { SHARD_STATES } from "./journal/journal";

/**
 * The agent's one configuration (docs/PROTOCOL.md §14.5): a JSON file (`--config`, written by
 * `rigel agent init`), overridden by `RIGEL_AGENT_*` environment variables, then by flags.
 * The operator key comes from the keystore and `keystorePassword`, or from `privateKey`.
 */
export const agentConfig = defineConfig("RIGEL_AGENT", {
  rpcUrl: { type: "url", description: "JSON-RPC endpoint of the chain", default: "http://127.0.0.1:8545" },
  deploymentFile: { type: "path", description: "deployments/<chainId>.json of the protocol (default: the repo's)" },
  chainId: { type: "integer", description: "chain id (selects deployments/<chainId>.json)", default: 31337, min: 1 },
  keystore: { type: "path", description: "encrypted v3 keystore of the operator key" },
  keystorePassword: { type: "string", description: "password of the keystore", secret: true },
  privateKey: { type: "privateKey", description: "operator key (instead of a keystore; dev only)", secret: true },
  dataDir: { type: "path", description: "journal, work directories and logs", default: ".rigel/agent" },
  host: { type: "string", description: "address the results service binds", default: "127.0.0.1" },
  port: {
    type: "integer",
    description: "port of the results service (/healthz, /metrics, /v1/results)",
    default: 8651,
    min: 0,
    max: 65535,
  },
  publicUrl: { type: "url", description: "the agent URL developers reach (resultURI base; default http://host:port)" },
  region: { type: "string", description: "region announced in the operator metadata", default: "local" },
  kinds: {
    type: "string",
    description: "job kinds taken, comma-separated",
    default: "matmul-int8,container,llm-inference",
  },
  minPricePerUnit: {
    type: "string",
    description: "smallest maxPricePerUnit accepted (payment-token base units)",
    default: "0",
  },
  paymentTokens: {
    type: "string",
    description: "accepted payment tokens, comma-separated addresses (empty: any)",
    default: "",
  },
  maxProofBytes: {
    type: "integer",
    description:
      "largest proof body the oracles accept (their bodyLimit): llm-inference shards whose worst-case proof is larger are declined",
    default: 1048576,
    min: 65536,
  },
  maxShardsPerGpu: { type: "integer", description: "concurrent shards per GPU", default: 1, min: 1, max: 64 },
  cpuSlots: { type: "integer", description: "concurrent shards when the host has no GPU", default: 1, min: 1, max: 64 },
  device: {
    type: "enum",
    values: ["auto", "cpu", "cuda"],
    description: "matmul device (auto: CUDA when nvidia-smi shows a GPU)",
    default: "auto",
  },
  cpuThreads: {
    type: "integer",
    description: "worker threads of the CPU matmul kernel, for shards and capacity challenges alike (0: every core)",
    default: 0,
    min: 0,
    max: 1024,
  },
  pythonPath: {
    type: "string",
    description: "python3 for the CUDA matmul worker and the llm-inference runtime (sdk/python/infer.py, needs numpy)",
    default: "python3",
  },
  inferTimeoutSec: {
    type: "integer",
    description: "limit of one llm-inference shard's generation run (then it is retried, never submitted)",
    default: 3600,
    min: 1,
  },
  oracleUrls: { type: "string", description: "oracle base URLs, comma-separated", default: "" },
  capacityPollSec: {
    type: "integer",
    description: "ask the oracles for capacity challenges issued to us this often (0: never)",
    default: 10,
    min: 0,
  },
  heartbeatIntervalMs: {
    type: "integer",
    description:
      "send a signed heartbeat to every oracle this often (PROTOCOL §12.6; the planner leaves out operators not heard from in 60 s)",
    default: 15_000,
    min: 1000,
    max: 60_000,
  },
  pollIntervalMs: { type: "integer", description: "main loop period", default: 1000, min: 50 },
  confirmations: {
    type: "integer",
    description: "blocks the chain follower stays behind the head (-1: auto, 0 on chain 31337 and 3 elsewhere)",
    default: -1,
    min: -1,
    max: 1000,
  },
  claimIntervalSec: { type: "integer", description: "claim RGL rewards this often (0: never)", default: 3600, min: 0 },
  admissionConcurrency: {
    type: "integer",
    description:
      "offers decided side by side (each reads its shard, job, gang, assignment and collateral in one batched round; slots and stake are still counted one decision at a time)",
    default: 16,
    min: 1,
    max: 256,
  },
  submitMaxBatch: {
    type: "integer",
    description: "finished shards sent together in one submitMany (1: every shard alone)",
    default: 20,
    min: 1,
    max: 200,
  },
  submitMaxDelayMs: {
    type: "integer",
    description:
      "longest a finished shard waits for its submitMany batch to fill (a shard near its deadline goes alone at once)",
    default: 1000,
    min: 0,
    max: 60000,
  },
  computeBeforeAccept: {
    type: "enum",
    values: ["assigned", "never"],
    description:
      "assigned: run a shard assigned to this operator before accepting it, then acceptAndSubmit (one transaction instead of two; not gang shards); never: accept first",
    default: "assigned",
  },
  settleDelaySec: {
    type: "integer",
    description:
      "after the quorum, leave the settlement this long to the committee's batched relay before settling the shard alone (0: settle at once)",
    default: 0,
    min: 0,
    max: 86400,
  },
  claims: {
    type: "boolean",
    description:
      "claim a shard assigned to this operator at the oracles once it ran, and settle it from Open without acceptAndSubmit (PROTOCOL §20.10; off: always acceptAndSubmit)",
    default: true,
  },
  claimTimeoutSec: {
    type: "integer",
    description:
      "how long a claim may wait for the committee's quorum before the shard takes the on-chain path (acceptAndSubmit, same result)",
    default: 60,
    min: 1,
    max: 3600,
  },
  claimFirstQuorum: {
    type: "boolean",
    description:
      "claim and prove at the first t oracles of oracleUrls only, and at the others only when those give no quorum (list the committee's relay first): a third less verification across a 2-of-3 committee; off: at every oracle at once",
    default: false,
  },
  autoWithdrawMin: {
    type: "string",
    description:
      "withdraw what the market owes this operator in a token once it reaches this many base units (0: never; rigel agent withdraw does it by hand)",
    default: "0",
  },
  withdrawTo: { type: "address", description: "where withdrawals are paid (default: the operator address)" },
  txBumpAfterMs: {
    type: "integer",
    description: "replace a transaction not mined after this long with the same nonce and fees raised 12.5% (0: never)",
    default: 60_000,
    min: 0,
  },
  txMaxFeeGwei: {
    type: "integer",
    description: "the highest maxFeePerGas, in gwei, a transaction or its replacement ever offers",
    default: 500,
    min: 1,
  },
  metricsToken: {
    type: "string",
    description: "bearer token /metrics asks for (Authorization: Bearer <token>); empty: /metrics is not served",
    default: "",
    secret: true,
  },
  submitMarginSec: {
    type: "integer",
    description: "do not start work that cannot be submitted this long before the deadline",
    default: 30,
    min: 0,
  },
  inputFileRoots: {
    type: "string",
    description: "directories file:// job inputs may be read from, comma-separated (empty: file:// inputs refused)",
    default: "",
  },
  allowRemoteHosts: {
    type: "boolean",
    description:
      "fetch specs and inputs from, and upload results to, public hosts (then never loopback; private, link-local and metadata addresses never; off: loopback only)",
    default: false,
  },
  inputCacheMaxMiB: {
    type: "integer",
    description: "cap of the input cache in MiB: least recently used inputs are pruned past it (0: no cap)",
    default: 51200,
    min: 0,
  },
  pullImages: {
    type: "boolean",
    description: "pull container images that are not present (only from the registries in sandboxRegistries)",
    default: false,
  },
  // The sandbox: the operator's ceilings over every container spec (PROTOCOL §12.5, docs/OPERATORS.md),
  // the same keys as the oracle's. A spec above one is declined before it is accepted, never accepted and then failed.
  ...SANDBOX_CONFIG_OPTIONS,
  devCheat: {
    type: "enum",
    values: ["none", "corrupt-rows", "cheaper-model"],
    description:
      "fault injection for demos and tests: commit a corrupted C on every matmul shard (corrupt-rows), or generate llm-inference shards with half the model's layers (cheaper-model); refused unless chain 31337",
    default: "none",
  },
  devCrashAfter: {
    type: "enum",
    values: ["none", ...SHARD_STATES],
    description:
      "fault injection for crash tests: SIGKILL the agent right after its journal moves a shard to this state (refused unless chain 31337)",
    default: "none",
  },
  logFormat: {
    type: "enum",
    values: ["human", "json"],
    description: "log lines for people (local times, amounts in RGL) or pino JSON lines (for log collectors)",
    default: "human",
  },
  logLevel: {
    type: "enum",
    values: ["trace", "debug", "info", "warn", "error"],
    description: "log level",
    default: "info",
  },
});

export type AgentConfig = ConfigValues<typeof agentConfig.spec>;
