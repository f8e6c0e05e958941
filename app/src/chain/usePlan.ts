import { useQuery } from "@tanstack/react-query";
import type { PublicClient } from "viem";
import { usePublicClient } from "wagmi";
import { planOnChain } from "../../../sdk/planner/planOnChain";
import type { BuiltJob } from "../lib/buildJob";
import type { PlanRequest } from "../lib/planRequest";
import { useRigel } from "../RigelContext";
import { useLiveness } from "./readLiveness";

const REPLAN_MS = 5_000;

/**
 * The sdk planner over the operators on-chain (sdk/planner/planOnChain, exactly what `rigel job plan`
 * runs), re-planned every 5 s and whenever the job or the request changes. The paying token is RGL.
 * With oracles in `rigel.json`, operators their heartbeats do not show online are left out (it waits
 * for the first answer); without, the plan says liveness is unknown. Disabled while there is no job
 * or request.
 */
export function usePlan(job: BuiltJob | undefined, request: PlanRequest | undefined) {
  const client = usePublicClient() as PublicClient | undefined;
  const { deployment } = useRigel();
  const liveness = useLiveness();
  // Who is online, in the key: the plan is made again as soon as that changes.
  const online = liveness.data
    ? [...liveness.data.heartbeats.keys()]
        .filter((a) => liveness.of(a)?.online)
        .sort()
        .join(",")
    : (liveness.unknownReason ?? "loading");
  return useQuery({
    // Query keys are hashed as JSON: bigints go in as strings.
    queryKey: [
      "plan",
      deployment.chainId,
      job?.specHash,
      job?.maxPricePerUnit.toString(),
      JSON.stringify(request ?? null, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
      online,
    ],
    enabled: client !== undefined && job !== undefined && request !== undefined && !liveness.loading,
    refetchInterval: REPLAN_MS,
    retry: 0,
    queryFn: () =>
      planOnChain(client!, {
        contracts: deployment.contracts,
        fromBlock: deployment.block,
        paymentToken: deployment.contracts.ComputeToken,
        spec: job!.spec,
        maxPricePerUnit: job!.maxPricePerUnit,
        // Accepting takes a moment: a capacity record valid a little beyond now (as the CLI asks).
        capacityMarginSec: 60,
        liveness: liveness.planner && { ...liveness.planner, nowSec: Math.floor(Date.now() / 1000) },
        ...request!,
      }),
  });
}
