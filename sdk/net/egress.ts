import dns from "node:dns";
import fs from "node:fs";
import type { LookupAddress, LookupOptions } from "node:dns";
import net from "node:net";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { fileURLToPath } from "node:url";
import ipaddr from "ipaddr.js";
import { Agent, buildConnector, request, type Dispatcher } from "undici";
import { RigelError } from "../errors/RigelError";

/**
 * Why the egress module refused or abandoned a read or an upload. `address`: the host resolves to
 * (or connected to) an address the policy does not allow; `redirect`: the server answered 3xx (never
 * followed); `too-large`: more than `maxBytes`; `timeout`: the connect or total time ran out;
 * `status`: a non-2xx answer; `file-root`: a `file://` path outside the allowed roots (symlinks
 * resolved); `not-regular-file`: a device, FIFO, socket or directory; `scheme`: not http(s) or file;
 * `bad-url`; `unreachable`: the connection or the file failed otherwise.
 */
export type EgressRefusalReason =
  | "bad-url"
  | "scheme"
  | "address"
  | "redirect"
  | "too-large"
  | "timeout"
  | "status"
  | "file-root"
  | "not-regular-file"
  | "unreachable";

/** A read or upload of an untrusted URL that the egress policy refused or that failed. */
export class EgressRefused extends RigelError {
  override readonly name = "EgressRefused";
  constructor(
    readonly reason: EgressRefusalReason,
    readonly url: string,
    /** The message without the URL (for callers that name the URL themselves). */
    readonly summary: string,
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super("EGRESS_REFUSED", `${describeUrl(url)}: ${summary}`, {
      details: { reason, url: describeUrl(url), ...details },
      cause,
    });
  }
}

/**
 * What a caller lets an untrusted URL reach. Addresses are checked when the connection is made (the
 * resolved addresses, and the socket's peer), so DNS cannot smuggle a private address past it.
 * Never allowed: private, link-local (cloud metadata 169.254.169.254), unique-local, unspecified,
 * multicast, broadcast, carrier-grade NAT, reserved and the tunnelling ranges that embed IPv4.
 */
export interface EgressPolicy {
  /** Public (globally routed unicast) addresses (default false). */
  allowPublic?: boolean;
  /** Loopback addresses: development only (default false). */
  allowLoopback?: boolean;
  /** `file://` URLs are read only under these directories (symlinks resolved); empty or absent: refused. */
  fileRoots?: readonly string[];
  /** Most bytes read from a response or file, enforced while streaming (required). */
  maxBytes: number;
  /** Time to establish a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** Time for the whole exchange, body included (default 60 s). */
  totalTimeoutMs?: number;
}

/**
 * The policy of the daemons' `allowRemoteHosts` setting: off (the default, development) reaches
 * loopback only; on reaches public addresses only, loopback too when `allowLoopback` says so.
 */
export function hostPolicy(allowRemoteHosts: boolean | undefined, allowLoopback?: boolean) {
  return allowRemoteHosts
    ? { allowPublic: true, allowLoopback: allowLoopback ?? false }
    : { allowPublic: false, allowLoopback: true };
}

/** An opened untrusted source: a stream that fails with `too-large` past the limit. */
export interface EgressSource {
  stream: Readable;
  /** The declared size (file size or content-length), when known. */
  size?: number;
}

const DEFAULT_CONNECT_MS = 10_000;
const DEFAULT_TOTAL_MS = 60_000;

function describeUrl(url: string): string {
  if (url.startsWith("data:")) return `${url.slice(0, 40)}…`;
  return url.length > 300 ? `${url.slice(0, 300)}…` : url;
}

/** Whether the policy lets a connection reach `address` (an IPv4 or IPv6 literal). */
export function addressAllowed(address: string, policy: Pick<EgressPolicy, "allowPublic" | "allowLoopback">): boolean {
  if (!ipaddr.isValid(address)) return false;
  // ::ffff:10.0.0.1 is 10.0.0.1: judged as the IPv4 address it carries.
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range === "loopback") return policy.allowLoopback === true;
  return range === "unicast" && policy.allowPublic === true;
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch (err) {
    throw new EgressRefused("bad-url", url, "not a URL", {}, err);
  }
}

/** The host of an http(s) URL, checked up front when it is an address literal. */
function checkHttpUrl(url: URL, policy: EgressPolicy): void {
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new EgressRefused("scheme", url.href, `scheme ${url.protocol} is not allowed`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host) !== 0 && !addressAllowed(host, policy))
    throw new EgressRefused("address", url.href, `address ${host} is not allowed by this node's egress policy`, {
      address: host,
    });
}

const agents = new Map<string, Agent>();

/** One undici Agent per policy: connections only to allowed addresses, no redirects, connect timeout. */
function dispatcherFor(policy: EgressPolicy): Agent {
  const allow = { allowPublic: policy.allowPublic === true, allowLoopback: policy.allowLoopback === true };
  const connectTimeout = policy.connectTimeoutMs ?? DEFAULT_CONNECT_MS;
  const key = `${allow.allowPublic}:${allow.allowLoopback}:${connectTimeout}`;
  const existing = agents.get(key);
  if (existing) return existing;
  const lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const allowed = addresses.filter((a) => addressAllowed(a.address, allow));
      if (allowed.length === 0) {
        const refused = Object.assign(
          new Error(`${hostname} resolves only to addresses this node's egress policy refuses`),
          { code: "EGRESS_ADDRESS", addresses: addresses.map((a) => a.address) },
        );
        return callback(refused, []);
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
  const connector = buildConnector({ timeout: connectTimeout, lookup } as buildConnector.BuildOptions);
  const agent = new Agent({
    connect: (options, callback) =>
      connector(options, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error("no socket"), null);
        // The peer actually reached (literal hosts skip the lookup; DNS answers may change).
        const peer = socket.remoteAddress;
        if (peer === undefined || !addressAllowed(peer, allow)) {
          socket.destroy();
          return callback(
            Object.assign(new Error(`connected to ${peer}, which this node's egress policy refuses`), {
              code: "EGRESS_ADDRESS",
              addresses: [peer],
            }),
            null,
          );
        }
        callback(null, socket);
      }),
    maxRedirections: 0,
  });
  agents.set(key, agent);
  return agent;
}

/** Turns a transport failure into the egress error that names it. */
function transportError(url: string, err: unknown, policy: EgressPolicy): EgressRefused {
  if (err instanceof EgressRefused) return err;
  const e = err as { code?: string; name?: string; addresses?: string[]; message?: string } | undefined;
  let cause: unknown = err;
  let code = e?.code;
  // undici wraps the connector's error; find our own code anywhere down the chain.
  for (let c: unknown = err, i = 0; c && i < 5; c = (c as { cause?: unknown }).cause, i++) {
    if ((c as { code?: string }).code === "EGRESS_ADDRESS") {
      code = "EGRESS_ADDRESS";
      cause = c;
      break;
    }
  }
  if (code === "EGRESS_ADDRESS")
    return new EgressRefused(
      "address",
      url,
      "the host's address is not allowed by this node's egress policy",
      { addresses: (cause as { addresses?: string[] }).addresses ?? [] },
      cause,
    );
  if (
    e?.name === "TimeoutError" ||
    e?.name === "AbortError" ||
    code === "UND_ERR_CONNECT_TIMEOUT" ||
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT"
  )
    return new EgressRefused(
      "timeout",
      url,
      "timed out",
      { totalTimeoutMs: policy.totalTimeoutMs ?? DEFAULT_TOTAL_MS },
      err,
    );
  return new EgressRefused("unreachable", url, e?.message ?? "request failed", { code }, err);
}

/** A pass-through that fails with `too-large` once more than `maxBytes` went through. */
function byteLimit(url: string, maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes)
        return done(new EgressRefused("too-large", url, `larger than ${maxBytes} bytes`, { maxBytes }));
      done(null, chunk);
    },
  });
}

/**
 * Opens a `file://` URL: only under `policy.fileRoots` (the real path, symlinks resolved, must lie
 * inside a root's real path), only a regular file (opened with O_NONBLOCK and O_NOFOLLOW, then
 * checked with fstat on the handle, so a FIFO or a device never blocks and is refused).
 */
async function openFile(url: URL, policy: EgressPolicy): Promise<EgressSource> {
  const roots = policy.fileRoots ?? [];
  if (roots.length === 0) throw new EgressRefused("file-root", url.href, "file:// URLs are not allowed here");
  let file: string;
  try {
    file = fileURLToPath(url);
  } catch (err) {
    throw new EgressRefused("bad-url", url.href, "not a local file URL", {}, err);
  }
  let real: string;
  try {
    real = await fs.promises.realpath(file);
  } catch (err) {
    throw new EgressRefused("unreachable", url.href, "no such file", {}, err);
  }
  const realRoots = await Promise.all(roots.map((r) => fs.promises.realpath(r).catch(() => path.resolve(r))));
  const inside = realRoots.some(
    (root) => real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep),
  );
  if (!inside) throw new EgressRefused("file-root", url.href, "outside the directories allowed for file:// URLs");
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (err) {
    throw new EgressRefused("unreachable", url.href, "cannot open the file", {}, err);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new EgressRefused("not-regular-file", url.href, "not a regular file");
  }
  if (stat.size > policy.maxBytes) {
    await handle.close();
    throw new EgressRefused("too-large", url.href, `larger than ${policy.maxBytes} bytes`, {
      maxBytes: policy.maxBytes,
      size: stat.size,
    });
  }
  const source = handle.createReadStream({ autoClose: true });
  const limited = byteLimit(url.href, policy.maxBytes);
  source.on("error", (err) => limited.destroy(new EgressRefused("unreachable", url.href, "read failed", {}, err)));
  limited.on("close", () => source.destroy());
  return { stream: source.pipe(limited), size: stat.size };
}

async function openHttp(url: URL, policy: EgressPolicy, signal?: AbortSignal): Promise<EgressSource> {
  checkHttpUrl(url, policy);
  const total = AbortSignal.timeout(policy.totalTimeoutMs ?? DEFAULT_TOTAL_MS);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      dispatcher: dispatcherFor(policy),
      method: "GET",
      signal: signal ? AbortSignal.any([signal, total]) : total,
      headersTimeout: policy.totalTimeoutMs ?? DEFAULT_TOTAL_MS,
      bodyTimeout: policy.totalTimeoutMs ?? DEFAULT_TOTAL_MS,
    });
  } catch (err) {
    throw transportError(url.href, err, policy);
  }
  checkStatus(url.href, response);
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > policy.maxBytes) {
    discard(response.body);
    throw new EgressRefused("too-large", url.href, `larger than ${policy.maxBytes} bytes`, {
      maxBytes: policy.maxBytes,
      size: declared,
    });
  }
  const limited = byteLimit(url.href, policy.maxBytes);
  response.body.on("error", (err) => limited.destroy(transportError(url.href, err, policy)));
  limited.on("close", () => discard(response.body));
  return {
    stream: response.body.pipe(limited),
    size: Number.isFinite(declared) ? declared : undefined,
  };
}

/** Drops a response body; undici reports the abort as an error that nobody needs. */
function discard(body: Readable): void {
  body.on("error", () => undefined);
  body.destroy();
}

function checkStatus(url: string, response: Dispatcher.ResponseData): void {
  if (response.statusCode >= 300 && response.statusCode < 400) {
    discard(response.body);
    const location = response.headers.location;
    throw new EgressRefused("redirect", url, `redirected (HTTP ${response.statusCode}); redirects are not followed`, {
      status: response.statusCode,
      location: typeof location === "string" ? describeUrl(location) : null,
    });
  }
  if (response.statusCode < 200 || response.statusCode >= 300) {
    discard(response.body);
    throw new EgressRefused("status", url, `HTTP ${response.statusCode}`, { status: response.statusCode });
  }
}

/**
 * Opens an untrusted `http(s)://` or `file://` URL as a stream, under the policy: address checks at
 * connect time, no redirects, the byte limit enforced while streaming, connect and total timeouts.
 * The stream errors with `EgressRefused` `too-large` (or `timeout`) mid-way; the caller pipes it.
 * @throws EgressRefused (`bad-url`, `scheme`, `address`, `file-root`, `not-regular-file`,
 *   `too-large`, `redirect`, `status`, `timeout`, `unreachable`).
 */
export async function egressOpen(url: string, policy: EgressPolicy, signal?: AbortSignal): Promise<EgressSource> {
  const parsed = parseUrl(url);
  if (parsed.protocol === "file:") return openFile(parsed, policy);
  return openHttp(parsed, policy, signal);
}

/** Reads a whole untrusted URL into memory, never more than `policy.maxBytes`. */
export async function egressRead(url: string, policy: EgressPolicy, signal?: AbortSignal): Promise<Buffer> {
  const { stream } = await egressOpen(url, policy, signal);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } catch (err) {
    throw transportError(url, err, policy);
  }
  return Buffer.concat(chunks);
}

/** Input of {@link egressPut}. */
export interface EgressPutParameters {
  url: string;
  body: Buffer | string | Readable;
  headers: Record<string, string>;
  policy: Omit<EgressPolicy, "fileRoots">;
  signal?: AbortSignal;
}

/**
 * PUTs bytes to an untrusted `http(s)://` URL under the policy (address checks at connect time, no
 * redirects, timeouts); reads at most `policy.maxBytes` of the answer and returns its status.
 * @throws EgressRefused (`bad-url`, `scheme`, `address`, `redirect`, `status`, `timeout`, `unreachable`).
 */
export async function egressPut(p: EgressPutParameters): Promise<number> {
  const url = parseUrl(p.url);
  checkHttpUrl(url, p.policy);
  const total = AbortSignal.timeout(p.policy.totalTimeoutMs ?? DEFAULT_TOTAL_MS);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      dispatcher: dispatcherFor(p.policy),
      method: "PUT",
      body: p.body,
      headers: p.headers,
      signal: p.signal ? AbortSignal.any([p.signal, total]) : total,
    });
  } catch (err) {
    throw transportError(url.href, err, p.policy);
  }
  checkStatus(url.href, response);
  // The answer is not used: drained up to the limit, then dropped.
  let seen = 0;
  try {
    for await (const chunk of response.body) {
      seen += (chunk as Buffer).length;
      if (seen > p.policy.maxBytes) {
        discard(response.body);
        break;
      }
    }
  } catch {
    // The upload succeeded; a broken answer body changes nothing.
  }
  return response.statusCode;
}
