// The Rigel indexer's base URL for the CLIs (PROTOCOL §21.4): `--indexer URL` or RIGEL_INDEXER_URL.
import { RigelError } from "../errors/RigelError";

/** The indexer URL from the flag or the environment, without a trailing slash; none: read the chain's logs. */
export function indexerUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = (flag ?? env.RIGEL_INDEXER_URL ?? "").trim().replace(/\/+$/, "");
  if (!url) return undefined;
  if (!/^https?:\/\//.test(url)) throw new RigelError("CLI_BAD_FLAG", `--indexer must be an http(s) URL, not "${url}"`);
  return url;
}
