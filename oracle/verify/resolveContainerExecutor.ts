/** The `containerExecutor` setting (oracle/config.ts); `true`/`false` are the former boolean's values. */
export type ContainerExecutorSetting = "auto" | "on" | "off" | "true" | "false";

/** The arguments of {@link resolveContainerExecutor}. */
export interface ResolveContainerExecutorParameters {
  setting: ContainerExecutorSetting;
  /** Pings the Docker engine (dockerode's `ping`); rejects when it does not answer. */
  ping: () => Promise<unknown>;
  /** Give up on the ping after this long (default 5 s). */
  timeoutMs?: number;
}

/** Whether the node re-runs container items, and why (logged at start). */
export interface ResolveContainerExecutorReturnType {
  enabled: boolean;
  /** Whether the Docker engine answered the ping (null: not asked, the setting was off). */
  dockerAnswered: boolean | null;
  reason: string;
}

/**
 * Decides at start whether the oracle re-runs sampled container items: `off`/`false` never, `on`/
 * `true` always (a Docker engine that does not answer then makes each container proof a 503 the
 * agent retries), `auto` when the Docker engine answers a ping.
 */
export async function resolveContainerExecutor(
  p: ResolveContainerExecutorParameters,
): Promise<ResolveContainerExecutorReturnType> {
  if (p.setting === "off" || p.setting === "false") {
    return { enabled: false, dockerAnswered: null, reason: "containerExecutor is off" };
  }
  let timer: NodeJS.Timeout | undefined;
  const answered = await Promise.race([
    p.ping().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), p.timeoutMs ?? 5000);
    }),
  ]);
  clearTimeout(timer);
  if (p.setting === "auto") {
    return answered
      ? { enabled: true, dockerAnswered: true, reason: "auto: the Docker engine answered" }
      : { enabled: false, dockerAnswered: false, reason: "auto: the Docker engine did not answer" };
  }
  return {
    enabled: true,
    dockerAnswered: answered,
    reason: answered ? "on" : "on, but the Docker engine did not answer (container proofs get 503 until it does)",
  };
}
