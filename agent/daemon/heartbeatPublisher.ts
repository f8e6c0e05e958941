import fs from "node:fs";
import path from "node:path";
import type { LocalAccount } from "viem";
import { signRequest } from "../../sdk/auth/signRequest";
import type { Heartbeat } from "../../sdk/liveness/heartbeat";
import type { Logger } from "../../sdk/log/createLogger";

/**
 * The version heartbeats report: the nearest package.json above this file whose name is `rigel`
 * (a checkout, or an install whose `app/` has the compiled agent); "dev" when none is found (a
 * compiled build copied elsewhere: the chaos test's, the agent image's). Read once, never required
 * as a module, so a build without package.json beside it still loads.
 */
export const AGENT_VERSION: string = readAgentVersion();

function readAgentVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "rigel" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not here: look one folder up
    }
    dir = path.dirname(dir);
  }
  return "dev";
}

/** What the daemon reports in each heartbeat (the publisher adds operator, version and time). */
export type HeartbeatState = Omit<Heartbeat, "operator" | "agentVersion" | "sentAt" | "online">;

/** Input of {@link HeartbeatPublisher}. */
export interface HeartbeatPublisherParameters {
  /** The operator key: heartbeats are signed like the agent's other requests (PROTOCOL §4.2). */
  account: LocalAccount;
  /** Every oracle the agent knows (base URLs). */
  oracleUrls: readonly string[];
  /** Between two heartbeats, ms (config `heartbeatIntervalMs`, default 15 000). */
  intervalMs: number;
  agentVersion: string;
  /** The daemon's state now. */
  state: () => Promise<HeartbeatState>;
  logger: Logger;
  /** Per-oracle timeout, ms (default 5000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Unix ms now (tests). */
  now?: () => number;
}

/** How one oracle took one heartbeat. */
export interface HeartbeatDelivery {
  url: string;
  ok: boolean;
  /** HTTP status, when the oracle answered. */
  status?: number;
  error?: string;
}

/**
 * Sends a signed heartbeat (PROTOCOL §12.6) to every oracle every `intervalMs`, all oracles at once.
 * It never throws into the daemon: a failure is logged (a warning when an oracle starts failing, then
 * quietly until it answers again) and the next beat comes on time. A beat still in flight when the
 * next is due makes that one skip.
 */
export class HeartbeatPublisher {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<HeartbeatDelivery[]> | undefined;
  private readonly failing = new Set<string>();
  /** Heartbeats sent, and how the last one went (for `/healthz`). */
  sent = 0;
  last: HeartbeatDelivery[] = [];

  constructor(private readonly p: HeartbeatPublisherParameters) {}

  /** Sends one heartbeat now, then every `intervalMs`. No oracle URL: does nothing. */
  start(): void {
    if (this.timer || this.p.oracleUrls.length === 0) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.p.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a beat in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private async beat(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = this.publishOnce();
    try {
      await this.inFlight;
    } finally {
      this.inFlight = undefined;
    }
  }

  /** One heartbeat to every oracle; resolves with how each took it (never rejects). */
  async publishOnce(): Promise<HeartbeatDelivery[]> {
    let body: string;
    try {
      const heartbeat: Heartbeat = {
        operator: this.p.account.address,
        agentVersion: this.p.agentVersion,
        sentAt: Math.floor((this.p.now?.() ?? Date.now()) / 1000),
        online: true,
        ...(await this.p.state()),
      };
      body = JSON.stringify(heartbeat);
    } catch (err) {
      this.p.logger.warn({ err }, "cannot gather the heartbeat's state; next beat on time");
      return [];
    }
    const deliveries = await Promise.all(this.p.oracleUrls.map((url) => this.send(url, body)));
    this.sent += 1;
    this.last = deliveries;
    return deliveries;
  }

  private async send(baseUrl: string, body: string): Promise<HeartbeatDelivery> {
    const url = baseUrl.replace(/\/+$/, "");
    let delivery: HeartbeatDelivery;
    try {
      const headers = await signRequest(this.p.account, {
        method: "POST",
        path: "/v1/heartbeats",
        body,
        timestamp: Math.floor((this.p.now?.() ?? Date.now()) / 1000),
      });
      const response = await (this.p.fetch ?? fetch)(`${url}/v1/heartbeats`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(this.p.timeoutMs ?? 5000),
      });
      if (response.ok) delivery = { url, ok: true, status: response.status };
      else {
        const text = await response.text().catch(() => "");
        delivery = { url, ok: false, status: response.status, error: errorOf(text) ?? `HTTP ${response.status}` };
      }
    } catch (err) {
      delivery = { url, ok: false, error: (err as Error).message };
    }
    this.note(delivery);
    return delivery;
  }

  /** A warning when an oracle starts refusing or stops answering, an info line when it is back. */
  private note(d: HeartbeatDelivery): void {
    if (d.ok) {
      if (this.failing.delete(d.url)) this.p.logger.info({ oracle: d.url }, "heartbeats reach the oracle again");
      return;
    }
    const first = !this.failing.has(d.url);
    this.failing.add(d.url);
    this.p.logger[first ? "warn" : "debug"](
      { oracle: d.url, status: d.status, error: d.error },
      "heartbeat not delivered; next beat on time",
    );
  }
}

/** The message of an oracle's JSON error body, if it is one. */
function errorOf(text: string): string | undefined {
  try {
    const json = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return json.error ? `${json.error.code}: ${json.error.message}` : undefined;
  } catch {
    return undefined;
  }
}
