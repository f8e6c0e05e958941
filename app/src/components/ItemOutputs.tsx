import { useState } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { splitRange } from "../../../sdk/spec/shardWork";
import type { JobRow, ShardRow } from "../chain/readJobs";
import { specOfJob } from "../lib/specOfJob";
import { readItemOutputs, type ItemOutput } from "../wallet/readItemOutputs";

/**
 * A settled llm-inference shard's outputs (PROTOCOL §16.5): on a click, each item's `output.json`
 * is read from the operator's results endpoint with requests the developer's wallet signs, and
 * shown as prompt → generated text. The prompts come from the job's own spec (its data: URI).
 */
export function ItemOutputs({ job, shard, developer }: { job: JobRow; shard: ShardRow; developer: Address }) {
  const config = useConfig();
  const [state, setState] = useState<{ busy?: boolean; outputs?: ItemOutput[]; error?: string }>({});
  const spec = specOfJob(job.specURI);
  const resultURI = shard.resultURI;
  if (!spec || spec.kind !== "llm-inference" || !resultURI) return null;
  const show = async () => {
    setState({ busy: true });
    try {
      const range = splitRange(spec.items.length, spec.split, job.shards.length, shard.shard);
      const outputs = await readItemOutputs(config, developer, {
        resultURI,
        resultRoot: shard.resultRoot,
        prompts: spec.items.slice(range.start, range.end),
        itemsStart: range.start,
      });
      setState({ outputs });
    } catch (err) {
      setState({ error: (err as Error).message });
    }
  };
  return (
    <div data-testid={`outputs-${job.jobId}-${shard.shard}`}>
      {!state.outputs && (
        <button
          className="secondary"
          disabled={state.busy}
          onClick={() => void show()}
          data-testid={`show-outputs-${job.jobId}-${shard.shard}`}
        >
          {state.busy ? "Reading outputs…" : "Show outputs"}
        </button>
      )}
      {state.error && <div className="error">Cannot read the outputs: {state.error}</div>}
      {state.outputs && (
        <ol className="item-outputs">
          {state.outputs.map((o) => (
            <li key={o.index} value={o.index} data-testid={`item-output-${o.index}`}>
              <span className="muted">{o.prompt}</span> → <strong data-testid="item-text">{o.text}</strong>{" "}
              <span className="muted">
                ({o.promptTokens} + {o.generatedTokens} tokens, {o.finishReason})
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
