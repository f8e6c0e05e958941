// `rigel job results JOB_ID [--shard N] [--out DIR]`: download and check a job's results.
import type { LocalAccount } from "viem";
import { defineCommand, type CliOutput } from "../sdk/cli/commands";
import type { DownloadProgress } from "../sdk/agentApi/results";
import { jobIdArg, jobStatus, toJson } from "./commandHelpers";
import { llmItemTexts, readLlmSpec, type LlmItemText } from "./llmItemTexts";
import { CONNECTION_FLAGS, connect, type JobCliDeps } from "./connect";
import { downloadJobResults, type DownloadJobResultsReturnType } from "./downloadJobResults";
import { numberFlag } from "./planFromChain";

function resultsText(r: DownloadJobResultsReturnType, items?: LlmItemText[]): string {
  const lines = [`job ${r.jobId} → ${r.dir}`];
  for (const s of r.shards) {
    lines.push(
      s.ok
        ? `  shard ${s.shard}: ${s.files.length} file(s), ${s.bytes} bytes, root ok (${s.root}) in ${s.dir}, ${
            s.source === "store"
              ? `from the results store ${s.sourceUri} (the operator's agent: ${s.operatorError?.code ?? "none"})`
              : "from the operator's agent"
          }`
        : `  shard ${s.shard}: ERROR ${s.error.code}: ${s.error.message}`,
    );
  }
  const ok = r.shards.filter((s) => s.ok).length;
  lines.push(`${ok} of ${r.shards.length} shard(s) downloaded and checked against the on-chain root`);
  if (items) {
    lines.push(`items (also in ${r.dir}/texts.jsonl):`);
    for (const i of items) {
      lines.push(
        `  #${i.index} ${JSON.stringify(i.prompt)} → ${JSON.stringify(i.text)} (${i.promptTokens} + ${i.generatedTokens} tokens, ${i.finishReason})`,
      );
    }
  }
  return lines.join("\n");
}

/** Progress on stderr: each shard's start, then at most one line a second while files arrive. */
function progressPrinter(out: CliOutput, now: () => number = Date.now): (shard: number, e: DownloadProgress) => void {
  let last = 0;
  return (shard, e) => {
    if (e.path === undefined) {
      out.info(`shard ${shard}: downloading ${e.files} file(s), ${e.bytes} bytes`);
      last = now();
      return;
    }
    if (e.filesDone === e.files || now() - last >= 1000) {
      out.info(`shard ${shard}: ${e.filesDone}/${e.files} file(s), ${e.bytesDone}/${e.bytes} bytes checked`);
      last = now();
    }
  };
}

/** The `results` command, bound to `deps`. */
export function resultsCommand(deps: JobCliDeps) {
  return defineCommand({
    name: "results",
    summary: "download the results of a job's submitted shards and check them against the on-chain root",
    args: "JOB_ID",
    flags: {
      ...CONNECTION_FLAGS,
      shard: { type: "string", value: "N", description: "only this shard" },
      out: { type: "string", value: "DIR", description: "files go to DIR/job-<id>/shard-<n>/", default: "." },
      timeout: { type: "string", value: "SECONDS", description: "per-request timeout", default: "120" },
      store: {
        type: "string",
        value: "URL",
        description: "results store to fall back to when the operator does not answer (default: the spec's uploadUrl)",
      },
    },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, true);
      const jobId = jobIdArg(positionals);
      const r = await downloadJobResults(conn, {
        jobId,
        account: conn.account as LocalAccount,
        outDir: flags.out ?? ".",
        shard: numberFlag(flags.shard, "shard"),
        storeUrl: flags.store,
        timeoutMs: (numberFlag(flags.timeout, "timeout") ?? 120) * 1000,
        onProgress: progressPrinter(out),
      });
      // llm-inference: each item's text beside its prompt (texts.jsonl), from the checked files.
      const spec = await readLlmSpec(conn, jobId);
      const shardCount = spec ? (await jobStatus(conn, jobId)).shards.length : 0;
      const items = spec ? await llmItemTexts(spec, shardCount, r) : undefined;
      out.result(flags.json ? toJson(items ? { ...r, items } : r) : resultsText(r, items));
      const failed = r.shards.filter((s) => !s.ok).length;
      if (failed === 0) return 0;
      out.error(`rigel job results: ${failed} shard(s) without checked results`);
      return 1;
    },
  });
}
