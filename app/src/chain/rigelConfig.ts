import { defineChain, type Chain } from "viem";
import { parseDeployment, type Deployment } from "../../../sdk/contracts/parseDeployment";
import { RigelError } from "../../../sdk/errors/RigelError";

/**
 * What the page needs to find the protocol: the RPC endpoint and the deployment record
 * (`deployments/<chainId>.json`). Served beside the page as `rigel.json` so one build runs against
 * any chain: the dev server and `npm run app:build` write it from `VITE_RIGEL_RPC_URL` and
 * `RIGEL_DEPLOYMENT` (default `deployments/31337.json`).
 */
export interface RigelConfig {
  rpcUrl: string;
  /**
   * Oracle base URLs whose heartbeats say which operators are up (PROTOCOL §12.6; written from
   * `VITE_RIGEL_ORACLE_URLS`); empty: liveness is unknown.
   */
  oracleUrls: string[];
  /**
   * Seconds since the last heartbeat within which an operator counts as online (PROTOCOL §12.6;
   * default 60). Tests set a short one to see an agent go offline without long waits.
   */
  livenessWindowSec?: number;
  deployment: Deployment;
  chain: Chain;
  /** The indexer's base URL (PROTOCOL §21, from `VITE_RIGEL_INDEXER_URL`): history, charts and
   * aggregates come from it; without one the page rebuilds them from chain logs. */
  indexerUrl?: string;
  /** A WalletConnect project id: the page then offers WalletConnect beside the injected wallet (§16.7). */
  walletConnectProjectId?: string;
}

/** `rigel.json` missing or malformed. */
export class RigelConfigError extends RigelError {
  override readonly name = "RigelConfigError";
  constructor(message: string, cause?: unknown) {
    super("APP_CONFIG_INVALID", message, { cause });
  }
}

/** The chain the deployment lives on, as wagmi and viem want it. */
export function rigelChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? "Rigel dev chain" : `Rigel chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** Validates the parsed `rigel.json`. */
export function parseRigelConfig(value: unknown): RigelConfig {
  const v = (value ?? {}) as {
    rpcUrl?: unknown;
    deployment?: unknown;
    oracleUrls?: unknown;
    indexerUrl?: unknown;
    walletConnectProjectId?: unknown;
    livenessWindowSec?: unknown;
  };
  if (typeof v.rpcUrl !== "string" || !/^https?:\/\//.test(v.rpcUrl)) {
    throw new RigelConfigError("rigel.json: rpcUrl must be an http(s) URL");
  }
  if (!v.deployment) {
    throw new RigelConfigError(
      "rigel.json has no deployment: deploy first (npx hardhat run scripts/deploy.ts --network localhost)",
    );
  }
  const deployment = parseDeployment(v.deployment, "rigel.json deployment");
  const oracleUrls = v.oracleUrls ?? [];
  if (!Array.isArray(oracleUrls) || !oracleUrls.every((u) => typeof u === "string" && /^https?:\/\//.test(u))) {
    throw new RigelConfigError("rigel.json: oracleUrls must be a list of http(s) URLs");
  }
  if (
    v.indexerUrl !== undefined &&
    v.indexerUrl !== null &&
    (typeof v.indexerUrl !== "string" || !/^https?:\/\//.test(v.indexerUrl))
  ) {
    throw new RigelConfigError("rigel.json: indexerUrl must be an http(s) URL when present");
  }
  const indexerUrl = typeof v.indexerUrl === "string" ? v.indexerUrl.replace(/\/+$/, "") : undefined;
  const wc = v.walletConnectProjectId;
  if (wc !== undefined && wc !== null && (typeof wc !== "string" || !/^[0-9a-fA-F]{32}$/.test(wc))) {
    throw new RigelConfigError("rigel.json: walletConnectProjectId must be a WalletConnect project id (32 hex digits)");
  }
  const window = v.livenessWindowSec;
  if (window !== undefined && (typeof window !== "number" || !Number.isInteger(window) || window < 1)) {
    throw new RigelConfigError("rigel.json: livenessWindowSec must be a whole number of seconds, at least 1");
  }
  return {
    rpcUrl: v.rpcUrl,
    oracleUrls,
    ...(window !== undefined ? { livenessWindowSec: window } : {}),
    deployment,
    chain: rigelChain(deployment.chainId, v.rpcUrl),
    indexerUrl,
    ...(typeof wc === "string" ? { walletConnectProjectId: wc } : {}),
  };
}

/** Fetches and validates `rigel.json` from beside the page. */
export async function loadRigelConfig(url = "./rigel.json"): Promise<RigelConfig> {
  let res: Response;
  try {
    res = await fetch(url, { cache: "no-store" });
  } catch (err) {
    throw new RigelConfigError(`cannot load ${url}`, err);
  }
  if (!res.ok) throw new RigelConfigError(`cannot load ${url}: HTTP ${res.status}`);
  return parseRigelConfig(await res.json());
}
