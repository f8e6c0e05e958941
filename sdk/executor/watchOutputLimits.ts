import { scanOutputDirectory, type OutputLimitExceeded, type OutputLimits } from "./scanOutputDirectory";

/** How often a running container's output directory is measured (after each scan ends). */
export const OUTPUT_WATCH_MS = 250;

/** A watch over a running container's output: stop it when the container has exited. */
export interface OutputWatch {
  /** The limit passed while the container ran, once one was (then `onExceeded` was called). */
  readonly exceeded: OutputLimitExceeded | undefined;
  stop(): void;
}

/**
 * Measures a running container's output directory every {@link OUTPUT_WATCH_MS} ms and calls
 * `onExceeded` (which kills the container) the first time it holds more entries or bytes than
 * `limits` allow. Each scan stops at the limit, so a file bomb costs at most `outputFiles` entries
 * per scan. A scan that fails (the directory is gone) ends the watch quietly.
 */
export function watchOutputLimits(
  dir: string,
  limits: OutputLimits,
  onExceeded: (exceeded: OutputLimitExceeded) => void,
): OutputWatch {
  let stopped = false;
  let exceeded: OutputLimitExceeded | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    if (stopped) return;
    try {
      const scan = await scanOutputDirectory(dir, limits);
      if (scan.exceeded && !stopped) {
        exceeded = scan.exceeded;
        onExceeded(scan.exceeded);
        return;
      }
    } catch {
      return;
    }
    if (!stopped) timer = setTimeout(() => void tick(), OUTPUT_WATCH_MS);
  };
  timer = setTimeout(() => void tick(), OUTPUT_WATCH_MS);
  return {
    get exceeded() {
      return exceeded;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
