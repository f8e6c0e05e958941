import { useQuery } from "@tanstack/react-query";
import type { Address, PublicClient } from "viem";
import { usePublicClient } from "wagmi";
import { useRigel } from "../RigelContext";
import { readDelegators } from "./readDelegators";
import { readRewardsOverview } from "./readRewardsOverview";
import { readSettledEpochs } from "./readSettledEpochs";
import { readSlashes } from "./readSlashes";
import { readWorkPayments } from "./readWorkPayments";

const REFRESH_MS = 4_000;

function useClient(): PublicClient {
  const client = usePublicClient();
  if (!client) throw new Error("no public client for the deployment's chain");
  return client as PublicClient;
}

/** Every operator's settled epochs (`EpochSettled`), for the yield window and the earnings chart. */
export function useSettledEpochs() {
  const client = useClient();
  const { deployment } = useRigel();
  return useQuery({
    queryKey: ["settledEpochs", deployment.chainId],
    queryFn: () => readSettledEpochs(client, deployment),
    refetchInterval: REFRESH_MS,
    retry: 0,
  });
}

/** The emission schedule and distribution over the last `past` epochs (`Infinity`: all since genesis). */
export function useEmissionRange(past: number) {
  const client = useClient();
  const { deployment } = useRigel();
  return useQuery({
    queryKey: ["emissionRange", deployment.chainId, past],
    queryFn: () => readRewardsOverview(client, deployment, Number.isFinite(past) ? past : Number.MAX_SAFE_INTEGER, 12),
    refetchInterval: REFRESH_MS,
    retry: 0,
  });
}

/** The operator's delegators, read now. */
export function useDelegators(operator: Address) {
  const client = useClient();
  const { deployment } = useRigel();
  return useQuery({
    queryKey: ["delegators", deployment.chainId, operator],
    queryFn: () => readDelegators(client, deployment, operator),
    refetchInterval: REFRESH_MS,
    retry: 0,
  });
}

/** The operator's slashes, each with its shard and finding. */
export function useSlashes(operator: Address) {
  const client = useClient();
  const { deployment } = useRigel();
  return useQuery({
    queryKey: ["slashes", deployment.chainId, operator],
    queryFn: () => readSlashes(client, deployment, operator),
    refetchInterval: REFRESH_MS,
    retry: 0,
  });
}

/** The operator's work payments with their times. */
export function useWorkPayments(operator: Address) {
  const client = useClient();
  const { deployment } = useRigel();
  return useQuery({
    queryKey: ["workPayments", deployment.chainId, operator],
    queryFn: () => readWorkPayments(client, deployment, operator),
    refetchInterval: REFRESH_MS,
    retry: 0,
  });
}
