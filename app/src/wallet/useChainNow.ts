import { useEffect, useState } from "react";
import { useBlock } from "wagmi";

/**
 * Chain time in seconds: the latest block's timestamp, advanced by the seconds since it arrived.
 * Countdowns use it rather than the browser clock, which may differ from the chain's.
 */
export function useChainNow(): bigint | undefined {
  const block = useBlock({ watch: true, query: { refetchInterval: 2_000 } });
  const [tick, setTick] = useState(() => Date.now());
  const [seenAt, setSeenAt] = useState(() => Date.now());
  const timestamp = block.data?.timestamp;
  useEffect(() => setSeenAt(Date.now()), [timestamp]);
  useEffect(() => {
    const id = setInterval(() => setTick(Date.now()), 1_000);
    return () => clearInterval(id);
  }, []);
  if (timestamp === undefined) return undefined;
  return timestamp + BigInt(Math.max(0, Math.floor((tick - seenAt) / 1000)));
}
