import type { LocalAccount } from "viem";
import { RigelError } from "../../sdk/errors/RigelError";
import type { Logger } from "../../sdk/log/createLogger";
import type { AgentChain } from "../chain/agentChain";
import type { OracleGateway } from "./oracleGateway";

/** The oracle gateway of the daemon, over the committee's HTTP API. */
export function createOracleGateway(p: {
  urls: string;
  account: LocalAccount;
  chain: AgentChain;
  logger: Logger;
}): OracleGateway {
  const urls = p.urls.split(",").map((u) => u.trim()).filter(Boolean);
  return {
    async attestShard() {
      throw new RigelError("AGENT_NO_ORACLE", `no oracle client available for ${urls.join(", ") || "(no oracleUrls)"}`);
    },
  };
}
