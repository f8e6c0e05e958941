import { http, type HttpTransport, type HttpTransportConfig } from "viem";

/** Parameters of {@link rpcTransport}: viem's HTTP transport settings, with the services' defaults. */
export type RpcTransportParameters = Pick<HttpTransportConfig, "timeout" | "retryCount" | "retryDelay"> & {
  /**
   * JSON-RPC batching: calls made within `wait` ms of each other (0: in the same tick) go as one HTTP
   * request of at most `batchSize` calls (default `{ wait: 0, batchSize: 100 }`; false: one request a call).
   */
  batch?: false | { wait?: number; batchSize?: number };
};

/** The services' RPC defaults (PROTOCOL §20.8): long enough for a busy node, batched. */
export const RPC_TRANSPORT_DEFAULTS = {
  /** ms before one HTTP request is given up (viem's own default, 10 s, fails requests of a loaded node). */
  timeout: 30_000,
  retryCount: 3,
  retryDelay: 250,
  batch: { wait: 0, batchSize: 100 },
} as const;

/**
 * The HTTP transport the agent and the oracle talk to their node with: JSON-RPC calls made in the
 * same tick (a shard driver's reads, a proof's shard/job/block reads, a sweep pass) go as one batch,
 * so a burst of N reads costs the node one HTTP request instead of N; a 30 s timeout with 3 retries
 * 250 ms apart (exponential, viem's) rides out a node that is busy mining.
 */
export function rpcTransport(url: string, parameters: RpcTransportParameters = {}): HttpTransport {
  const batch = parameters.batch ?? RPC_TRANSPORT_DEFAULTS.batch;
  return http(url, {
    timeout: parameters.timeout ?? RPC_TRANSPORT_DEFAULTS.timeout,
    retryCount: parameters.retryCount ?? RPC_TRANSPORT_DEFAULTS.retryCount,
    retryDelay: parameters.retryDelay ?? RPC_TRANSPORT_DEFAULTS.retryDelay,
    batch:
      batch === false
        ? false
        : {
            wait: batch.wait ?? RPC_TRANSPORT_DEFAULTS.batch.wait,
            batchSize: batch.batchSize ?? RPC_TRANSPORT_DEFAULTS.batch.batchSize,
          },
  });
}
