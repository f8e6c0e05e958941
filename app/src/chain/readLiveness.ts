import { useQuery } from "@tanstack/react-query";
import { fetchHeartbeats, type FetchHeartbeatsReturnType } from "../../../sdk/liveness/fetchHeartbeats";
import { livenessOf, type Liveness } from "../../../sdk/liveness/liveness";
import type { PlannerLiveness } from "../../../sdk/planner/types";
import { useRigel } from "../RigelContext";

const REFRESH_MS = 5_000;

/** The operators' liveness as the page knows it (PROTOCOL §12.6). */
export interface LivenessState {
  /** `rigel.json` names oracles. */
  configured: boolean;
  /** The merged heartbeats, once an oracle answered. */
  data?: FetchHeartbeatsReturnType;
  /** Still waiting for the first answer (the plan waits for it). */
  loading: boolean;
  /** Why liveness is unknown, in words; undefined when it is known. */
  unknownReason?: string;
  /** For the planner: undefined when unknown. */
  planner?: PlannerLiveness;
  /** One operator's liveness; undefined when unknown. */
  of(address: string): Liveness | undefined;
}

/**
 * Reads `GET /v1/heartbeats` from the oracles of `rigel.json` (`oracleUrls`) every 5 s and merges
 * them (sdk/liveness `fetchHeartbeats`: the freshest per operator, on this browser's clock).
 */
export function useLiveness(): LivenessState {
  const { oracleUrls } = useRigel();
  const configured = oracleUrls.length > 0;
  const query = useQuery({
    queryKey: ["liveness", ...oracleUrls],
    queryFn: () => fetchHeartbeats({ oracleUrls }),
    enabled: configured,
    refetchInterval: REFRESH_MS,
    retry: 0,
  });
  const data = query.data;
  const unknownReason = !configured
    ? "no oracle is configured (rigel.json oracleUrls)"
    : !data && query.isError
      ? "no oracle answered"
      : undefined;
  const planner = data ? { heartbeats: data.heartbeats, nowSec: data.nowSec } : undefined;
  return {
    configured,
    data,
    loading: configured && !data && !query.isError,
    unknownReason,
    planner,
    of: (address) =>
      data ? livenessOf(data.heartbeats.get(address.toLowerCase()), Math.floor(Date.now() / 1000)) : undefined,
  };
}
