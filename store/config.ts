import { defineConfig } from "../sdk/config/defineConfig";

/** The results store's one declared configuration: a JSON file plus `RIGEL_STORE_*` variables (PROTOCOL §18.8). */
export const storeConfig = defineConfig("RIGEL_STORE", {
  rpcUrl: { type: "url", description: "JSON-RPC endpoint of the chain", default: "http://127.0.0.1:8545" },
  chainId: {
    type: "integer",
    description: "chain id (deployments/<chainId>.json names the contracts)",
    default: 31337,
  },
  deploymentsDir: { type: "path", description: "folder of deployments/<chainId>.json", default: "deployments" },
  host: { type: "string", description: "HTTP bind address", default: "127.0.0.1" },
  port: { type: "integer", description: "HTTP port", default: 8660, min: 0, max: 65535 },
  dataDir: { type: "path", description: "folder of the blobs and the SQLite index", default: "data/store" },
  maxFileBytes: {
    type: "integer",
    description: "largest result file accepted (bytes)",
    default: 1024 ** 3,
    min: 1,
  },
  maxShardBytes: {
    type: "integer",
    description: "largest total of one shard's result files (bytes)",
    default: 4 * 1024 ** 3,
    min: 1,
  },
  maxShardFiles: { type: "integer", description: "most files in one shard's results", default: 10_000, min: 1 },
  maxStoreBytes: {
    type: "integer",
    description: "bytes the store holds at most, stored and announced together; past it an upload is refused (507)",
    default: 64 * 1024 ** 3,
    min: 1,
  },
  pendingTtlSec: {
    type: "integer",
    description: "an announced upload whose files have not all arrived after this many seconds is dropped",
    default: 3600,
    min: 10,
  },
  ratePerAddressPerMinute: {
    type: "integer",
    description: "requests per client address per minute, counted before the body is read (IPv6: per /56)",
    default: 1200,
    min: 1,
  },
  metricsToken: {
    type: "string",
    description: "bearer token for /metrics (unset: /metrics is off)",
    secret: true,
  },
  pollMs: {
    type: "integer",
    description: "housekeeping period (ms): expired uploads dropped",
    default: 10_000,
    min: 10,
  },
  logLevel: { type: "string", description: "pino log level", default: "info" },
});

export type StoreConfig = ReturnType<typeof storeConfig.load>;
