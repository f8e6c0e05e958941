import { defineConfig } from "../sdk/config/defineConfig";
import { SANDBOX_CONFIG_OPTIONS } from "../sdk/executor/sandboxConfig";

/** Options the oracle had once: setting one is a configuration error that says why it went. */
const REMOVED_OPTIONS = {
  sampleSize:
    "the sample size s is a protocol constant (32, docs/PROTOCOL.md §3.5), the same for every oracle and agent; delete it",
  maxFullResultBytes:
    "proofs no longer carry a full result for Freivalds (docs/PROTOCOL.md §3.11), so nothing is fetched; delete it",
};

/** The oracle node's one declared configuration: a JSON file plus `RIGEL_ORACLE_*` variables. */
export const oracleConfig = defineConfig(
  "RIGEL_ORACLE",
  {
    rpcUrl: { type: "url", description: "JSON-RPC endpoint of the chain", default: "http://127.0.0.1:8545" },
    chainId: {
      type: "integer",
      description: "chain id (deployments/<chainId>.json names the contracts)",
      default: 31337,
    },
    deploymentsDir: { type: "path", description: "folder of deployments/<chainId>.json", default: "deployments" },
    host: { type: "string", description: "HTTP bind address", default: "127.0.0.1" },
    port: { type: "integer", description: "HTTP port", default: 8631, min: 0, max: 65535 },
    dataDir: { type: "path", description: "SQLite database folder", default: "data/oracle" },
    signerKey: { type: "privateKey", description: "the committee signer key (or use keystore)", secret: true },
    keystore: { type: "path", description: "encrypted v3 keystore file of the signer key" },
    keystorePassword: { type: "string", description: "password of the keystore", secret: true },
    // Key safety and chain reads (docs/PROTOCOL.md §18.4, §18.5).
    signLog: {
      type: "path",
      description:
        "the signed-digest log that travels with the key (default: <keystore>.signed.jsonl, or <dataDir>/signed.jsonl with signerKey)",
    },
    confirmations: {
      type: "integer",
      description: "blocks the log followers stay behind the head (-1: auto, 0 on chain 31337 and 3 elsewhere)",
      default: -1,
      min: -1,
      max: 1000,
    },
    peers: { type: "string", description: "comma-separated base URLs of the other committee members", default: "" },
    relay: {
      type: "boolean",
      description: "submit verdicts on-chain once a threshold of signatures is held",
      default: false,
    },
    relayValid: { type: "boolean", description: "when relaying, also settle Valid verdicts", default: false },
    // Batched settlement (docs/PROTOCOL.md §20.6).
    batchMaxSize: {
      type: "integer",
      description: "when relaying, a verdict batch closes at this many shards (one settleVerdicts transaction)",
      default: 100,
      min: 1,
      max: 1024,
    },
    batchMaxDelayMs: {
      type: "integer",
      description: "when relaying, a verdict batch closes this long (ms) after its oldest shard, if not full before",
      default: 2000,
      min: 0,
      max: 600_000,
    },
    startBlock: { type: "integer", description: "first block to watch on a fresh database", default: 0, min: 0 },
    pollMs: { type: "integer", description: "main loop period (ms)", default: 2000, min: 10 },
    revealWindowSec: {
      type: "integer",
      description:
        "seconds after submission without a valid proof before the node signs Invalid (0: half the verify window)",
      default: 0,
      min: 0,
    },
    claimMarginSec: {
      type: "integer",
      description:
        "refuse a claim of an assigned shard (POST /v1/claims) unless the job's deadline is more than this many seconds away",
      default: 60,
      min: 0,
    },
    bodyLimit: { type: "string", description: "largest request body", default: "1mb" },
    ratePerMinute: { type: "integer", description: "signed requests per operator per minute", default: 120, min: 1 },
    ratePerAddressPerMinute: {
      type: "integer",
      description: "requests per client address per minute, counted before the body is read (IPv6: per /56)",
      default: 600,
      min: 1,
    },
    bodyTimeoutSec: {
      type: "integer",
      description: "a request body must arrive whole within this many seconds, else the connection is closed",
      default: 10,
      min: 1,
      max: 600,
    },
    metrics: {
      type: "enum",
      values: ["off", "public", "token"],
      description:
        "/metrics on the public port: off, public, or token (needs Authorization: Bearer <metricsToken>); see also metricsPort",
      default: "off",
    },
    metricsToken: { type: "string", description: "the bearer token of metrics=token", default: "", secret: true },
    metricsPort: {
      type: "integer",
      description: "serve /metrics on this separate port too, bound to metricsHost (0: no separate listener)",
      default: 0,
      min: 0,
      max: 65535,
    },
    metricsHost: { type: "string", description: "bind address of the metrics port", default: "127.0.0.1" },
    capacityRoundSec: {
      type: "integer",
      description: "coordinate capacity rounds at random times about this many seconds apart (0: never)",
      default: 0,
      min: 0,
    },
    containerExecutor: {
      type: "enum",
      values: ["auto", "on", "off", "true", "false"],
      description:
        "re-run sampled container items with the local Docker engine: auto (on when Docker answers a ping at start), on, off (container proofs get 422); true/false mean on/off",
      default: "auto",
    },
    containerPullImages: {
      type: "boolean",
      description:
        "pull a missing job image before a re-run, only from the registries in sandboxRegistries (default: the image must already be on this host)",
      default: false,
    },
    containerGpus: {
      type: "boolean",
      description: "this host may give re-runs the GPUs a job's spec asks for (else GPU jobs are not re-run here)",
      default: false,
    },
    inputFileRoots: {
      type: "string",
      description: "directories file:// job inputs may be read from, comma-separated (empty: file:// inputs refused)",
      default: "",
    },
    allowRemoteInputHosts: {
      type: "boolean",
      description: "fetch container job inputs from non-loopback http(s) hosts",
      default: false,
    },
    rerunQueueMax: {
      type: "integer",
      description:
        "container re-runs that may wait for a slot, earliest reveal deadline first (PROTOCOL §18.3); one more is answered 503 ORACLE_BUSY",
      default: 64,
      min: 1,
    },
    rerunConcurrency: {
      type: "integer",
      description: "container re-runs at once (0: half the host's CPUs, at least 1)",
      default: 0,
      min: 0,
    },
    pythonPath: {
      type: "string",
      description: "python3 (with numpy) that runs sdk/python/infer.py to verify llm-inference proofs (PROTOCOL §19.6)",
      default: "python3",
    },
    inferTimeoutSec: {
      type: "integer",
      description: "limit of one llm-inference verification run; past it the node answers 503 (its own trouble)",
      default: 900,
      min: 1,
    },
    workDir: {
      type: "path",
      description: "work and input-cache folder of the container executor (default: <dataDir>/work)",
    },
    // Re-runs run under the same sandbox as the agents' containers, with the same keys (PROTOCOL §12.5):
    // a spec above a ceiling is not re-run here (422 with the reason), never a bare 503.
    ...SANDBOX_CONFIG_OPTIONS,
    logLevel: { type: "enum", values: ["debug", "info", "warn", "error"], description: "log level", default: "info" },
  },
  REMOVED_OPTIONS,
);

export type OracleConfig = ReturnType<typeof oracleConfig.load>;
