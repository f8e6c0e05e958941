import type { Logger } from "../log/createLogger";

export interface Daemon {
  /** Set up everything (config, keys, database, chain client, HTTP); throws to abort start-up. */
  init(): Promise<void>;
  /** One pass of the main loop; errors are logged and the loop goes on. */
  tick(): Promise<void>;
  /** Stop cleanly: stop accepting work, finish or persist what is in flight, close resources. */
  shutdown(): Promise<void>;
}

export interface RunDaemonParameters {
  daemon: Daemon;
  logger: Logger;
  /** Pause between ticks (ms). */
  intervalMs: number;
  /** Signals that stop the daemon (default SIGTERM and SIGINT). */
  signals?: NodeJS.Signals[];
}

/**
 * Run a daemon: `init`, then `tick` every `intervalMs` until a stop signal or `stop()`, then
 * `shutdown`. A failing tick is logged with its cause and does not end the loop.
 * Resolves when the daemon has shut down.
 */
export function runDaemon({ daemon, logger, intervalMs, signals = ["SIGTERM", "SIGINT"] }: RunDaemonParameters): {
  done: Promise<void>;
  stop: () => void;
} {
  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    if (!stopping) logger.info("stopping");
    stopping = true;
    wake?.();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "signal received");
    stop();
  };
  for (const s of signals) process.on(s, onSignal);
  const done = (async () => {
    try {
      await daemon.init();
      while (!stopping) {
        try {
          await daemon.tick();
        } catch (err) {
          logger.error({ err }, "main loop pass failed");
        }
        if (stopping) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      for (const s of signals) process.off(s, onSignal);
      await daemon.shutdown();
      logger.info("stopped");
    }
  })();
  return { done, stop };
}
