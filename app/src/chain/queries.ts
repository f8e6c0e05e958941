import { useQuery } from "@tanstack/react-query";
import type { Address, PublicClient } from "viem";
import { usePublicClient } from "wagmi";
import { useRigel } from "../RigelContext";
import { historyReader } from "./historyReader";
import { readOperators } from "./readOperators";
import { readOwed } from "./readOwed";
import { readRewardsOverview } from "./readRewardsOverview";

const REFRESH_MS = 2_000;

function useClient(): PublicClient {
  const client = usePublicClient();
  if (!client) throw new Error("no public client for the deployment's chain");
  return client as PublicClient;
}

/** Every registered operator, refreshed every 2 s. */
export function useOperators() {
  const client = useClient();
  const { deployment } = useRigel();
  return useQuery({
    queryKey: ["operators", deployment.chainId],
    queryFn: () => readOperators(client, deployment),
    refetchInterval: REFRESH_MS,
    retry: 0,
  });
}

/** The developer's jobs, refreshed every 2 s. */
export function useJobs(developer: Address | undefined) {
  const client = useClient();
  const rigel = useRigel();
  const { deployment } = rigel;
  return useQuery({
    queryKey: ["jobs", deployment.chainId, developer],
    queryFn: () => historyReader(rigel, client).jobs(developer!),
    enabled: developer !== undefined,
    refetchInterval: REFRESH_MS,
    retry: 0,
  });
}

/** Emission schedule, actual distribution and the current epoch. */
export function useRewardsOverview() {
  const client = useClient();
  const { deployment } = useRigel();
  return useQuery({
    queryKey: ["rewards", deployment.chainId],
    queryFn: () => readRewardsOverview(client, deployment),
    refetchInterval: REFRESH_MS * 2,
    retry: 0,
  });
}

/** Reward and delegation history rebuilt from events (optionally one account's). */
export function useHistory(account?: Address) {
  const client = useClient();
  const rigel = useRigel();
  const { deployment } = rigel;
  return useQuery({
    queryKey: ["history", deployment.chainId, account],
    queryFn: () => historyReader(rigel, client).history(account),
    refetchInterval: REFRESH_MS * 2,
    retry: 0,
  });
}

/** The operator's shard history, refreshed every 2 s. */
export function useShardHistory(operator: Address | undefined) {
  const client = useClient();
  const rigel = useRigel();
  const { deployment } = rigel;
  return useQuery({
    queryKey: ["shardHistory", deployment.chainId, operator],
    queryFn: () => historyReader(rigel, client).shardHistory(operator!),
    enabled: operator !== undefined,
    refetchInterval: REFRESH_MS,
    retry: 0,
  });
}

/** What the market owes an account per payment token (refunds, earnings), refreshed every 2 s. */
export function useOwed(account: Address | undefined) {
  const client = useClient();
  const { deployment } = useRigel();
  return useQuery({
    queryKey: ["owed", deployment.chainId, account],
    queryFn: () => readOwed(client, deployment, account!),
    enabled: account !== undefined,
    refetchInterval: REFRESH_MS,
    retry: 0,
  });
}
