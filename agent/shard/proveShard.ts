import fs from "node:fs/promises";
import path from "node:path";
import { LLM_OUTPUT_FILE } from "../../sdk/llm/llmItemHash";
import { revealItemSample } from "../../sdk/itemSample/revealItemSample";
import { shardBeacon } from "../../sdk/pow/beacon";
import { encodeRevealedRow } from "../../sdk/pow/revealedRowWire";
import { revealSample } from "../../sdk/pow/revealSample";
import type { Hex } from "viem";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import type { AgentChain, ChainShard } from "../chain/agentChain";
import type { RanData } from "../journal/shardData";
import type { OracleGateway, ShardProof, ShardQuorum } from "../oracle/oracleGateway";
import { loadMatmulShard } from "../work/matmulShard";
import { ShardStepError } from "./shardStepError";
import type { ShardWorkspace } from "./shardWorkspace";

/** Input of {@link proveShard}. */
export interface ProveShardParameters {
  chain: Pick<AgentChain, "publicClient" | "chainId" | "contracts" | "address">;
  oracle: OracleGateway;
  jobId: bigint;
  shard: number;
  spec: JobSpec;
  /** The shard as the chain holds it: Submitted by this agent. */
  onChain: Pick<ChainShard, "resultRoot" | "units" | "submittedBlock">;
  /** What the journal holds of the shard's run. */
  data: RanData;
  workspace: ShardWorkspace;
}

const unixSeconds = (iso: string) => Date.parse(iso) / 1000;

/** Input of {@link buildShardProof}: the shard's run, and the beacon its sample is drawn from. */
export interface BuildShardProofParameters {
  chain: Pick<AgentChain, "address">;
  jobId: bigint;
  shard: number;
  spec: JobSpec;
  /** What the journal holds of the shard's run. */
  data: RanData;
  workspace: ShardWorkspace;
  /** The result root and units proved (submitted on-chain, or claimed). */
  root: Hex;
  units: bigint;
  /** The block beacon of a submission (§3.4), or one oracle's claim beacon (§20.10). */
  beacon: Hex;
  /** A claim's proof (PROTOCOL §20.10): a sample only, no receipt (and never a failed run). */
  claim?: boolean;
}

/**
 * Builds a shard's proof from a beacon (docs/PROTOCOL.md §14.6): matmul — `revealSample` over the
 * window of C kept in the workspace (local indices, the protocol's s); container — the receipt and,
 * in `sampled` mode, `revealItemSample` over the shard's item hashes (a claim sends the sample
 * alone); a failed run (§18.2) only its `failure`; llm-inference (activations, §19.5) — the same item
 * sample, each item with its `output.json` (base64) read from the workspace. Throws
 * {@link ShardStepError} (`AGENT_SPEC_KIND`) when the journal's kind and the spec's differ, and
 * (`AGENT_NOT_CLAIMABLE`) for a claim of a run that cannot be claimed (a failure, receipt mode).
 */
export async function buildShardProof(p: BuildShardProofParameters): Promise<ShardProof> {
  const { spec, data, beacon, root } = p;
  if (spec.kind !== data.kind) {
    throw new ShardStepError("AGENT_SPEC_KIND", `the journal says ${data.kind} but the spec is ${spec.kind}`);
  }
  const proof = {
    jobId: p.jobId,
    shard: p.shard,
    operator: p.chain.address,
    root,
    units: p.units,
    beacon,
    kind: data.kind,
    ...(p.claim ? { claim: true } : {}),
  };
  if (data.kind === "matmul-int8" && spec.kind === "matmul-int8") {
    const m = data.rowEnd - data.rowStart;
    const { c, commitment } = await loadMatmulShard(p.workspace.dir, { m, n: spec.n });
    const rows = revealSample({ c, m, n: spec.n, commitment, beacon }).map(encodeRevealedRow);
    return { ...proof, rows };
  }
  if (data.kind === "llm-inference" && spec.kind === "llm-inference") {
    // Activations mode (PROTOCOL §19.5): the container sample, each item with its output.json bytes.
    const sampled = revealItemSample({ itemHashes: data.itemHashList, beacon });
    const items = await Promise.all(
      sampled.map(async (item) => {
        const file = path.join(p.workspace.itemOutputDir(data.itemStart + item.index), LLM_OUTPUT_FILE);
        return { ...item, output: (await fs.readFile(file)).toString("base64") };
      }),
    );
    return { ...proof, items };
  }
  if (data.kind !== "container" || spec.kind !== "container") {
    throw new ShardStepError("AGENT_SPEC_KIND", `unexpected kind ${data.kind}`);
  }
  if (p.claim && !isClaimableRun(spec, data)) {
    throw new ShardStepError("AGENT_NOT_CLAIMABLE", "only a sampled container run that succeeded can be claimed");
  }
  if (data.failure) {
    // A failed run (PROTOCOL §18.2): the root commits to the failure; no items, no receipt (its
    // exit code is the failure's, which a receipt check would read as the operator's fault).
    return { ...proof, failure: data.failure };
  }
  let items: ShardProof["items"];
  if (spec.verification === "sampled" && data.itemHashList.length > 0) {
    items = revealItemSample({ itemHashes: data.itemHashList, beacon });
  }
  if (p.claim) return { ...proof, items };
  const runs = data.receipt.runs;
  return {
    ...proof,
    items,
    receipt: {
      imageDigest: data.receipt.imageId ?? "",
      exitCode: 0,
      startedAt: Math.floor(Math.min(...runs.map((r) => unixSeconds(r.startedAt)))),
      finishedAt: Math.floor(Math.max(...runs.map((r) => unixSeconds(r.finishedAt)))),
      gpuSamples: [],
      outputsRoot: root,
    },
  };
}

/**
 * Whether a run may take the claim path (PROTOCOL §20.10): a result, not a failed run, in a mode the
 * committee verifies from a sample alone — matmul-int8, llm-inference (activations), a container job
 * in `sampled` mode with items. Receipt mode and failed runs take the on-chain path.
 */
export function isClaimableRun(spec: JobSpec, data: RanData): boolean {
  if (data.failure) return false;
  if (spec.kind !== data.kind) return false;
  if (data.kind === "matmul-int8" || data.kind === "llm-inference") return true;
  return spec.kind === "container" && spec.verification === "sampled" && data.itemHashList.length > 0;
}

/**
 * Proves a submitted shard to the committee (docs/PROTOCOL.md §14.6): reads `blockhash(submittedBlock)`,
 * computes the shard beacon (§3.4, §3.10), builds the proof from it ({@link buildShardProof}) and
 * sends it through the oracle gateway (one proof, to every oracle).
 * Resolves with the quorum the gateway gathered. Throws {@link ShardStepError} (`AGENT_SPEC_KIND`)
 * when the journal's kind and the spec's differ; chain and oracle errors pass through (retried later).
 */
export async function proveShard(p: ProveShardParameters): Promise<ShardQuorum> {
  const { spec, data, onChain } = p;
  if (spec.kind !== data.kind) {
    throw new ShardStepError("AGENT_SPEC_KIND", `the journal says ${data.kind} but the spec is ${spec.kind}`);
  }
  const root = onChain.resultRoot;
  const block = await p.chain.publicClient.getBlock({ blockNumber: onChain.submittedBlock });
  const beacon = shardBeacon({
    chainId: p.chain.chainId,
    jobMarket: p.chain.contracts.JobMarket,
    jobId: p.jobId,
    shard: p.shard,
    root,
    blockHash: block.hash,
  });
  const proof = await buildShardProof({ ...p, root, units: onChain.units, beacon });
  return p.oracle.attestShard(proof);
}
