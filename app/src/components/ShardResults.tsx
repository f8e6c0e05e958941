import { useEffect, useRef, useState } from "react";
import { zeroAddress, type Address } from "viem";
import { useConfig } from "wagmi";
import { storeResultsUri } from "../../../sdk/agentApi/resultsStoreUrl";
import { serverSentEvents, shardLogsUrl, type ShardLogLine } from "../../../sdk/agentApi/shardLogs";
import { ShardState } from "../../../sdk/market/enums";
import type { JobRow, ShardRow } from "../chain/readJobs";
import { specOfJob } from "../lib/specOfJob";
import { downloadVerifiedShard, SOURCE_LABEL, type VerifiedShard } from "../results/downloadVerifiedShard";
import { mergeShards } from "../results/mergeShards";
import { operatorEndpoint } from "../results/operatorEndpoint";
import { tarArchive, type TarEntry } from "../results/tarArchive";
import { useRigel } from "../RigelContext";
import { signedGet } from "../wallet/signedGet";

/** Saves bytes as a file through the browser's download. */
function save(name: string, entries: TarEntry[]): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(
    new Blob([tarArchive(entries) as Uint8Array<ArrayBuffer>], { type: "application/x-tar" }),
  );
  a.download = name;
  a.click();
}

/** Where a shard's results may be read: its agent's `resultURI`, and the store its spec names as `uploadUrl`. */
function sourcesOf(job: JobRow, shard: ShardRow): { resultURI?: string; storeUri?: string } {
  const uploadUrl = specOfJob(job.specURI)?.uploadUrl;
  return {
    resultURI: shard.resultURI,
    storeUri: uploadUrl ? storeResultsUri(uploadUrl, job.jobId, shard.shard) : undefined,
  };
}

/** "3 files (1.2 kB) verified against the committed root, from the results store (the operator's agent: …)". */
export function verifiedText(shards: readonly VerifiedShard[]): string {
  const files = shards.reduce((n, s) => n + s.files.length, 0);
  const bytes = shards.reduce((n, s) => n + s.files.reduce((m, f) => m + f.bytes.length, 0), 0);
  const from = [...new Set(shards.map((s) => s.source))].map((s) => SOURCE_LABEL[s]).join(" and ");
  const why = shards.find((s) => s.operatorError)?.operatorError;
  return `${files} file${files === 1 ? "" : "s"} (${bytes} bytes) verified against the committed root, from ${from}${
    why ? ` (the operator's agent failed: ${why})` : ""
  }`;
}

/**
 * A settled shard's result files (PROTOCOL §16.9): downloaded with wallet-signed requests from the
 * operator's agent or, when it fails, from the results store; each file and the root checked in the
 * browser; saved as one tar (`job-<id>-shard-<n>.tar`). Says where the files came from, or exactly
 * what failed.
 */
export function ShardDownload({ job, shard, developer }: { job: JobRow; shard: ShardRow; developer: Address }) {
  const config = useConfig();
  const [state, setState] = useState<{ busy?: boolean; done?: string; error?: string }>({});
  const sources = sourcesOf(job, shard);
  if (shard.state !== ShardState.Settled || (!sources.resultURI && !sources.storeUri)) return null;
  const run = async () => {
    setState({ busy: true });
    try {
      const got = await downloadVerifiedShard(config, developer, {
        shard: shard.shard,
        ...sources,
        committedRoot: shard.resultRoot,
      });
      save(`job-${job.jobId}-shard-${shard.shard}.tar`, got.files);
      setState({ done: verifiedText([got]) });
    } catch (err) {
      setState({ error: (err as Error).message });
    }
  };
  return (
    <div>
      <button
        className="secondary"
        disabled={state.busy}
        onClick={() => void run()}
        data-testid={`download-${job.jobId}-${shard.shard}`}
      >
        {state.busy ? "Downloading and checking…" : "Download result"}
      </button>
      {state.done && (
        <div className="muted cell-note" data-testid={`result-status-${job.jobId}-${shard.shard}`}>
          {state.done}
        </div>
      )}
      {state.error && (
        <div className="error cell-note" data-testid={`result-error-${job.jobId}-${shard.shard}`}>
          Not saved: {state.error}
        </div>
      )}
    </div>
  );
}

/**
 * The whole job as one result, once every shard is Settled: each shard downloaded and checked as
 * {@link ShardDownload} does, then merged by `mergeShards` into one tar (`job-<id>.tar`: items by
 * job item index for itemised jobs, one c.bin for matmul).
 */
export function JobMergedDownload({ job, developer }: { job: JobRow; developer: Address }) {
  const config = useConfig();
  const [state, setState] = useState<{ busy?: boolean; done?: string; error?: string }>({});
  const spec = specOfJob(job.specURI);
  if (!spec || job.shards.length < 2 || job.shards.some((s) => s.state !== ShardState.Settled)) return null;
  const run = async () => {
    setState({ busy: true });
    try {
      const shards: VerifiedShard[] = [];
      for (const s of job.shards) {
        try {
          shards.push(
            await downloadVerifiedShard(config, developer, {
              shard: s.shard,
              ...sourcesOf(job, s),
              committedRoot: s.resultRoot,
            }),
          );
        } catch (err) {
          throw new Error(`shard ${s.shard}: ${(err as Error).message}`);
        }
      }
      save(`job-${job.jobId}.tar`, mergeShards(spec, job.shards.length, shards));
      setState({ done: `${verifiedText(shards)}; ${shards.length} shards merged into job-${job.jobId}.tar` });
    } catch (err) {
      setState({ error: (err as Error).message });
    }
  };
  return (
    <div>
      <button
        className="secondary"
        disabled={state.busy}
        onClick={() => void run()}
        data-testid={`download-merged-${job.jobId}`}
      >
        {state.busy ? "Downloading and checking…" : "Download merged result (tar)"}
      </button>
      {state.done && (
        <div className="muted" data-testid={`merged-status-${job.jobId}`}>
          {state.done}
        </div>
      )}
      {state.error && (
        <div className="error" data-testid={`merged-error-${job.jobId}`}>
          Not saved: {state.error}
        </div>
      )}
    </div>
  );
}

/**
 * The operator whose agent may be running a shard: an Accepted shard's operator, or the operator an
 * Open shard is assigned to (its agent runs it before accepting, then sends `acceptAndSubmit`,
 * PROTOCOL §20.7); undefined for any other shard.
 */
export function runningOperator(shard: Pick<ShardRow, "state" | "operator" | "assigned">): Address | undefined {
  if (shard.state === ShardState.Accepted) return shard.operator;
  if (shard.state === ShardState.Open && shard.assigned !== zeroAddress) return shard.assigned;
  return undefined;
}

/**
 * A running shard's live log (PROTOCOL §14.11): on a click, the agent of the operator running it
 * ({@link runningOperator}, its registered endpoint) streams the container's lines as Server-Sent
 * Events to a request the wallet signs; the view follows until the run ends.
 */
export function ShardLiveLog({ job, shard, developer }: { job: JobRow; shard: ShardRow; developer: Address }) {
  const config = useConfig();
  const { deployment } = useRigel();
  const [lines, setLines] = useState<ShardLogLine[]>([]);
  const [state, setState] = useState<{ on?: boolean; ended?: boolean; error?: string }>({});
  const abort = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => abort.current?.abort(), []);
  const operator = runningOperator(shard);
  if (operator === undefined) return null;
  const start = async () => {
    abort.current = new AbortController();
    setState({ on: true });
    setLines([]);
    try {
      const endpoint = await operatorEndpoint(config, deployment.contracts.OperatorStaking, operator);
      const res = await signedGet(
        config,
        developer,
        shardLogsUrl(endpoint, job.jobId, shard.shard),
        abort.current.signal,
      );
      for await (const e of serverSentEvents(res.body as unknown as AsyncIterable<Uint8Array>)) {
        if (e.event === "line") setLines((old) => [...old, JSON.parse(e.data) as ShardLogLine].slice(-500));
        if (e.event === "end") break;
      }
      setState({ on: true, ended: true });
    } catch (err) {
      if (!abort.current.signal.aborted) setState({ error: (err as Error).message });
    }
  };
  return (
    <div data-testid={`logs-${job.jobId}-${shard.shard}`}>
      {!state.on && (
        <button
          className="secondary"
          onClick={() => void start()}
          data-testid={`show-logs-${job.jobId}-${shard.shard}`}
        >
          Show live log
        </button>
      )}
      {state.error && <div className="error cell-note">Cannot read the log: {state.error}</div>}
      {state.on && (
        <pre className="live-log" data-testid="live-log">
          {lines.map((l) => `${l.item === null ? "" : `[item ${l.item}] `}${l.text}`).join("\n")}
          {state.ended ? "\n— the run ended —" : "\n…"}
        </pre>
      )}
    </div>
  );
}
