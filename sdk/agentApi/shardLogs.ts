import type { Address, Client, LocalAccount } from "viem";
import { readContract } from "viem/actions";
import { requestNonce } from "../auth/requestNonce";
import { signRequest } from "../auth/signRequest";
import { operatorStakingAbi } from "../contracts/abis";
import { RigelError } from "../errors/RigelError";
import { readOperatorMetadata } from "./metadata";

/** One line of a shard's live log (PROTOCOL §14.11). */
export interface ShardLogLine {
  seq: number;
  stream: "stdout" | "stderr";
  item: number | null;
  text: string;
}

/** A logs request the agent refused or could not be reached for. */
export class ShardLogsError extends RigelError {
  override readonly name = "ShardLogsError";
}

/** `<endpoint>/v1/shards/<jobId>/<shard>/logs`: where an agent serves a shard's live log. */
export function shardLogsUrl(endpoint: string, jobId: bigint | string, shard: number): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/shards/${jobId.toString()}/${shard}/logs`;
}

/** The agent endpoint an operator registered (`OperatorStaking.metadataURI`, its metadata's `endpoint`, §14.1). */
export async function operatorEndpoint(client: Client, staking: Address, operator: Address): Promise<string> {
  const uri = await readContract(client, {
    address: staking,
    abi: operatorStakingAbi,
    functionName: "metadataURI",
    args: [operator],
  });
  return (await readOperatorMetadata(uri)).endpoint;
}

/**
 * Parses Server-Sent Events from a byte stream: each event's `event:` name and joined `data:`
 * lines; comments and other fields are skipped.
 */
export async function* serverSentEvents(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (data.length > 0) yield { event, data: data.join("\n") };
        event = "message";
        data = [];
      } else if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
  }
}

/** Options of {@link followShardLogs}. */
export interface FollowShardLogsOptions {
  /** Keep reading until the shard's run ends (default); false: the lines so far only. */
  follow?: boolean;
  /** First line to send (a reader that reconnects). */
  from?: number;
  signal?: AbortSignal;
}

/**
 * Reads a shard's live log from its operator's agent (`GET …/logs`, PROTOCOL §14.11), signed by the
 * job's developer with a fresh nonce, and yields each line until the agent ends the stream (the
 * shard's run ended, or `follow: false`). Throws {@link ShardLogsError} `LOGS_UNREACHABLE` or
 * `LOGS_REFUSED` (with the HTTP status and the agent's error code).
 */
export async function* followShardLogs(
  url: string,
  account: LocalAccount,
  options: FollowShardLogsOptions = {},
): AsyncGenerator<ShardLogLine> {
  const target = new URL(url);
  const query = new URLSearchParams();
  if (options.follow === false) query.set("follow", "0");
  if (options.from) query.set("from", String(options.from));
  target.search = query.size > 0 ? `?${query}` : "";
  const path = target.pathname + target.search;
  const headers = await signRequest(account, { method: "GET", path, body: "", nonce: requestNonce() });
  let response: Response;
  try {
    response = await fetch(target, { headers, signal: options.signal });
  } catch (err) {
    throw new ShardLogsError("LOGS_UNREACHABLE", `cannot reach ${target.origin}`, { cause: err });
  }
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ShardLogsError(
      "LOGS_REFUSED",
      `${path}: HTTP ${response.status} ${body.error?.code ?? ""} ${body.error?.message ?? ""}`.trim(),
      { details: { status: response.status, code: body.error?.code } },
    );
  }
  for await (const e of serverSentEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
    if (e.event === "line") yield JSON.parse(e.data) as ShardLogLine;
    if (e.event === "end") return;
  }
}
