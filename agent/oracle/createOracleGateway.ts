import type { LocalAccount } from "viem";
import { oracleCommitteeAbi } from "../../sdk/contracts/abis";
import type { Logger } from "../../sdk/log/createLogger";
import { OracleClient } from "../../sdk/oracleApi/client";
import type { AgentChain } from "../chain/agentChain";
import { committeeGateway } from "./committeeGateway";
import type { OracleGateway } from "./oracleGateway";

/** The daemon's committee gateway from the configured oracle URLs (comma-separated) and the chain's threshold. */
export function createOracleGateway(p: {
  urls: string;
  account: LocalAccount;
  chain: AgentChain;
  logger: Logger;
  /** Claims go to the first t oracles first (agent config `claimFirstQuorum`). */
  claimFirstQuorum?: boolean;
}): OracleGateway {
  const urls = p.urls
    .split(",")
    .map((u) => u.trim())
    .filter(Boolean);
  return committeeGateway({
    clients: urls.map((baseUrl) => new OracleClient({ baseUrl, account: p.account })),
    threshold: async () =>
      Number(
        await p.chain.publicClient.readContract({
          address: p.chain.contracts.OracleCommittee,
          abi: oracleCommitteeAbi,
          functionName: "threshold",
        }),
      ),
    logger: p.logger.child({ layer: "oracles" }),
    claimFirstQuorum: p.claimFirstQuorum,
  });
}
