import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import fs from "node:fs/promises";
import path from "node:path";
import { getAddress, type Hex } from "viem";
import { commitOutputs } from "../../sdk/executor/commitOutputs";
import type { ContainerLogListener, DockerClient, GpuRequest } from "../../sdk/executor/dockerClient";
import { encodeRevealedRow } from "../../sdk/pow/revealedRowWire";
import { revealRows } from "../../sdk/pow/reveal";
import { sampleIndices } from "../../sdk/pow/sample";
import { shardBeacon } from "../../sdk/pow/beacon";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { RigelError } from "../../sdk/errors/RigelError";
import type { Logger } from "../../sdk/log/createLogger";
import { fetchJobSpec } from "../../sdk/spec/fetchJobSpec";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import { containerShardItems, matmulShardRows } from "../../sdk/spec/shardWork";
import { resultsPath } from "../../sdk/agentApi/resultsManifest";
import { AgentTxError, ShardState, SHARD_STATE_NAMES, type AgentChain, type ChainShard } from "../chain/agentChain";
import type { Journal, JournalEntry, ShardState as JournalState } from "../journal/journal";
import { TERMINAL_STATES } from "../journal/journal";
import type { OracleGateway, ShardProof } from "../oracle/oracleGateway";
import { runContainerShard } from "../work/containerShard";
import { shardResultFiles } from "../results/resultsRoutes";
import { ResultsUploadError, uploadShardResults } from "../results/uploadResults";
import type { DevCheat } from "../work/devCheat";
import { loadMatmulShard, runMatmulShard, type MatmulDevice } from "../work/matmulShard";

/** Everything a shard's life needs, passed in so tests can swap any part. */
export interface ShardDriverContext {
  chain: AgentChain;
  journal: Journal;
  oracle: OracleGateway;
  docker?: DockerClient;
  logger: Logger;
  dataDir: string;
  /** The agent's public base URL: the resultURI submitted is `<publicUrl>/v1/results/<job>/<shard>`. */
  publicUrl: string;
  matmulDevice: MatmulDevice;
  pythonPath?: string;
  /** Worker threads of the CPU matmul kernel (undefined: every core). */
  cpuThreads?: number;
  gpus?: GpuRequest;
  pullImages?: boolean;
  /** Fault injection on a dev chain only: commit a corrupted C (demos and tests of slashing). */
  devCheat?: DevCheat;
  allowRemoteHosts?: boolean;
  /** Directories `file://` inputs may be read from. */
  inputFileRoots?: readonly string[];
  /** Seconds before the deadline after which no work is started. */
  submitMarginSec: number;
  /** Called at each phase: progress display and metrics. */
  onPhase?: (jobId: bigint, shard: number, phase: string) => void;
  onRunSeconds?: (kind: string, seconds: number) => void;
  onContainerLog?: ContainerLogListener;
}

/** A step that cannot go on now (the chain or an oracle is unreachable): retried on a later pass. */
export class ShardStepError extends RigelError {
  override readonly name = "ShardStepError";
}

/** The shard's work directory: results, logs and kept matrices. */
export function shardWorkDir(dataDir: string, jobId: bigint, shard: number): string {
  return path.join(dataDir, "work", `job-${jobId}`, `shard-${shard}`);
}

const isTerminal = (s: JournalState) => TERMINAL_STATES.includes(s);

/**
 * Drives one shard through its life, one journaled step at a time. Each step writes its intent
 * to the journal BEFORE acting (`accepting`, `running`, `submitting`, `proving`, `settling`), and
 * each step that finds an intent first reads the shard on-chain to learn whether the action already
 * happened, so a kill -9 at any point never accepts, submits or settles twice.
 */
export class ShardDriver {
  constructor(private readonly ctx: ShardDriverContext) {}

  /**
   * Runs steps until the shard is final, or until it must wait for the chain (a gang shard before its
   * gang started): then it returns the unfinished state and a later pass drives it again. Throws (to
   * be retried later) when a step cannot complete.
   */
  async drive(jobId: bigint, shard: number): Promise<JournalState> {
    for (let steps = 0; steps < 64; steps++) {
      const entry = this.ctx.journal.get(jobId, shard);
      if (!entry) throw new ShardStepError("AGENT_SHARD_UNKNOWN", `shard ${jobId}/${shard} is not journaled`);
      if (isTerminal(entry.state)) return entry.state;
      if ((await this.step(entry)) === "wait") return entry.state;
    }
    throw new ShardStepError("AGENT_SHARD_STUCK", `shard ${jobId}/${shard} did not settle in 64 steps`);
  }

  private log(entry: Pick<JournalEntry, "jobId" | "shard">) {
    return this.ctx.logger.child({ jobId: entry.jobId.toString(), shard: entry.shard });
  }

  private move(entry: JournalEntry, to: JournalState, data: Record<string, unknown> = {}): JournalEntry {
    this.ctx.onPhase?.(entry.jobId, entry.shard, to);
    return this.ctx.journal.transition(entry.jobId, entry.shard, to, data, [entry.state]);
  }

  /** A shard that left our hands on-chain: the matching final journal state. */
  private finalFromChain(onChain: ChainShard): JournalState | undefined {
    const mine = getAddress(onChain.operator) === getAddress(this.ctx.chain.address);
    switch (onChain.state) {
      case ShardState.Settled:
        return mine ? "settled" : "abandoned";
      case ShardState.Failed:
        return mine ? "failed" : "abandoned";
      case ShardState.Expired:
        return mine ? "expired" : "abandoned";
      case ShardState.Cancelled:
        return "abandoned";
      default:
        return mine || onChain.state === ShardState.Open ? undefined : "abandoned";
    }
  }

  private async readShard(entry: JournalEntry): Promise<ChainShard> {
    try {
      return await this.ctx.chain.getShard(entry.jobId, entry.shard);
    } catch (err) {
      throw new ShardStepError("AGENT_CHAIN_UNAVAILABLE", `cannot read shard ${entry.jobId}/${entry.shard}`, {
        cause: err,
      });
    }
  }

  private async spec(entry: JournalEntry): Promise<JobSpec> {
    const { spec } = await fetchJobSpec(entry.data.specURI as string, entry.data.specHash as Hex, {
      allowRemoteHosts: this.ctx.allowRemoteHosts,
    });
    return spec;
  }

  /** One step; "wait" when nothing can happen until the chain moves (an unstarted gang). */
  private async step(entry: JournalEntry): Promise<"wait" | void> {
    const log = this.log(entry);
    const onChain = await this.readShard(entry);
    const final = this.finalFromChain(onChain);
    if (final) {
      log.info({ onChain: SHARD_STATE_NAMES[onChain.state], journal: entry.state, to: final }, "shard ended on-chain");
      this.move(entry, final, { endedOnChain: SHARD_STATE_NAMES[onChain.state] });
      return;
    }
    const job = await this.ctx.chain.getJob(entry.jobId);
    const now = await this.ctx.chain.latestTimestamp();
    switch (entry.state) {
      case "accepting": {
        if (onChain.state === ShardState.Accepted) {
          this.move(entry, "accepted", { collateral: onChain.collateral });
          return;
        }
        // Open: the accept was never mined (or never sent). Send it now.
        try {
          const tx = await this.ctx.chain.accept(entry.jobId, entry.shard);
          log.info({ tx: tx.hash }, "shard accepted");
          this.move(entry, "accepted", { acceptTx: tx.hash });
        } catch (err) {
          const again = await this.readShard(entry);
          if (
            again.state === ShardState.Accepted &&
            getAddress(again.operator) === getAddress(this.ctx.chain.address)
          ) {
            this.move(entry, "accepted", {});
            return;
          }
          if (!(err instanceof AgentTxError && err.details.reverted)) throw err;
          log.warn({ reason: err.details.reason }, "accept refused by the market; giving the shard up");
          this.move(entry, "abandoned", { reason: err.message });
        }
        return;
      }
      case "accepted": {
        const gang = await this.ctx.chain.gangOf(entry.jobId);
        if (gang.acceptDeadline > 0n && gang.startedAt === 0n) return this.awaitGang(entry, gang, now);
        this.move(entry, "running", {
          runStartedAt: Date.now(),
          ...(gang.startedAt > 0n ? { gangStartedAt: gang.startedAt } : {}),
        });
        return;
      }
      case "running": {
        if (onChain.state === ShardState.Submitted) {
          // Cannot happen (submitting is journaled first), but never submit twice.
          this.move(entry, "submitted", { root: onChain.resultRoot, units: onChain.units });
          return;
        }
        if (now + BigInt(this.ctx.submitMarginSec) >= job.deadline) {
          log.error({ deadline: job.deadline }, "no time left before the deadline; the shard will expire");
          this.move(entry, "failed", { reason: "deadline too close to run" });
          return;
        }
        await this.run(entry, job.maxUnitsPerShard);
        return;
      }
      case "ran":
        this.move(entry, "submitting");
        return;
      case "submitting": {
        if (onChain.state === ShardState.Submitted) {
          this.move(entry, "submitted", { submittedBlock: onChain.submittedBlock });
          return;
        }
        if (now >= job.deadline) {
          log.error("deadline passed before the result was submitted");
          this.move(entry, "failed", { reason: "deadline passed before submit" });
          return;
        }
        const root = entry.data.root as Hex;
        const units = entry.data.units as bigint;
        const resultURI = `${this.ctx.publicUrl}${resultsPath(entry.jobId, entry.shard)}`;
        const tx = await this.ctx.chain.submit(entry.jobId, entry.shard, root, units, resultURI);
        log.info({ tx: tx.hash, root, units }, "result submitted");
        this.move(entry, "submitted", { submitTx: tx.hash, submittedBlock: tx.blockNumber, resultURI });
        return;
      }
      case "submitted":
        this.move(entry, "proving");
        return;
      case "proving": {
        const quorum = await this.prove(entry, onChain);
        this.move(entry, "attested", {
          attestation: quorum.attestation,
          signatures: sortSignaturesBySigner(quorum.signatures),
        });
        return;
      }
      case "attested":
        this.move(entry, "settling");
        return;
      case "settling": {
        const attestation = entry.data.attestation as Parameters<AgentChain["settle"]>[0];
        if (attestation.expiry < now) {
          log.warn("attestation expired before settlement; asking the oracles again");
          this.ctx.journal.transition(entry.jobId, entry.shard, "proving", {}, ["settling"]);
          return;
        }
        const tx = await this.ctx.chain.settle(attestation, entry.data.signatures as Hex[]);
        log.info({ tx: tx.hash, verdict: attestation.verdict, units: attestation.units }, "shard settled");
        this.move(entry, attestation.verdict === 1 ? "settled" : "failed", { settleTx: tx.hash });
        if (attestation.verdict === 1) await this.upload(entry);
        return;
      }
      default:
        throw new ShardStepError("AGENT_BAD_STATE", `unexpected journal state ${entry.state}`);
    }
  }

  /**
   * When the spec names an `uploadUrl` (PROTOCOL §14.9), PUTs the settled shard's results there too:
   * three tries, then a warning. Best effort: the results stay served by the agent either way, and
   * an upload failure never touches the shard's settlement.
   */
  private async upload(entry: JournalEntry): Promise<void> {
    const spec = await this.spec(entry);
    if (!spec.uploadUrl) return;
    const log = this.log(entry);
    const data = this.ctx.journal.get(entry.jobId, entry.shard)?.data ?? entry.data;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const { manifest, files } = shardResultFiles(this.ctx.dataDir, entry.jobId, entry.shard, data);
        const done = await uploadShardResults({
          uploadUrl: spec.uploadUrl,
          account: this.ctx.chain.account,
          manifest,
          files,
          allowRemoteHosts: this.ctx.allowRemoteHosts ?? false,
        });
        log.info(done, "results uploaded");
        return;
      } catch (err) {
        log.warn({ err, attempt }, "results upload failed");
        if (err instanceof ResultsUploadError && err.code === "AGENT_UPLOAD_HOST") return;
        if (attempt < 3) await new Promise((r) => setTimeout(r, 1000 * attempt));
      }
    }
  }

  /**
   * An accepted shard of a gang that has not started (§9.7, §14.8): no work before every shard is
   * accepted. Before the accept deadline: wait. After it, the gang can never start: release it
   * (anyone may; it cancels the shards, refunds the escrow and unlocks every collateral, nobody is
   * slashed), and the shard ends `abandoned`, nothing computed or submitted.
   */
  private async awaitGang(
    entry: JournalEntry,
    gang: { acceptDeadline: bigint; released: boolean },
    now: bigint,
  ): Promise<"wait" | void> {
    const log = this.log(entry);
    if (!gang.released && now < gang.acceptDeadline) {
      if (entry.data.gangWaiting !== true) {
        log.info(
          { acceptDeadline: gang.acceptDeadline },
          "gang shard accepted; waiting for every shard to be accepted",
        );
        this.ctx.onPhase?.(entry.jobId, entry.shard, "gang-waiting");
        this.ctx.journal.transition(entry.jobId, entry.shard, "accepted", { gangWaiting: true }, ["accepted"]);
      }
      return "wait";
    }
    if (!gang.released) {
      try {
        const tx = await this.ctx.chain.releaseGang(entry.jobId);
        log.warn({ tx: tx.hash }, "the gang did not start by its accept deadline; released it");
      } catch (err) {
        // Another party released it first (the next read shows it), or the chain is unreachable (retried).
        if (!(err instanceof AgentTxError && err.details.reverted)) throw err;
      }
    }
    const after = await this.readShard(entry);
    if (after.state === ShardState.Cancelled) {
      this.move(entry, "abandoned", { endedOnChain: "Cancelled", reason: "gang released before it started" });
    }
  }

  private async run(entry: JournalEntry, maxUnits: bigint): Promise<void> {
    const log = this.log(entry);
    const spec = await this.spec(entry);
    const job = await this.ctx.chain.getJob(entry.jobId);
    const workDir = shardWorkDir(this.ctx.dataDir, entry.jobId, entry.shard);
    const started = performance.now();
    if (spec.kind === "matmul-int8") {
      const rows = matmulShardRows(spec, job.shards, entry.shard);
      log.info({ rows, device: this.ctx.matmulDevice }, "computing matmul shard");
      const result = await runMatmulShard({
        spec,
        rows,
        workDir,
        device: this.ctx.matmulDevice,
        pythonPath: this.ctx.pythonPath,
        cpuThreads: this.ctx.cpuThreads,
        corrupt: this.ctx.devCheat === "corrupt-rows",
        onPhase: (phase) => this.ctx.onPhase?.(entry.jobId, entry.shard, phase),
      });
      this.ctx.onRunSeconds?.(spec.kind, (performance.now() - started) / 1000);
      const units = result.units < maxUnits ? result.units : maxUnits;
      this.move(entry, "ran", {
        root: result.root,
        units,
        rowStart: rows.start,
        rowEnd: rows.end,
        seconds: result.seconds,
      });
      return;
    }
    if (!this.ctx.docker) throw new ShardStepError("AGENT_NO_DOCKER", "a container shard needs Docker");
    const items = containerShardItems(spec, job.shards, entry.shard);
    const done = new Map<number, Hex>(
      Object.entries((entry.data.itemHashes as Record<string, Hex>) ?? {}).map(([i, h]) => [Number(i), h]),
    );
    let current = entry;
    const result = await runContainerShard({
      docker: this.ctx.docker,
      spec,
      jobId: entry.jobId,
      shard: entry.shard,
      items,
      workDir,
      cacheDir: path.join(this.ctx.dataDir, "cache"),
      gpus: spec.gpus > 0 ? (this.ctx.gpus ?? { count: spec.gpus }) : undefined,
      pull: this.ctx.pullImages,
      allowRemoteHosts: this.ctx.allowRemoteHosts,
      allowedFileRoots: this.ctx.inputFileRoots ?? [],
      done,
      onItemDone: (item, hash) => {
        done.set(item, hash);
        current = this.ctx.journal.transition(
          entry.jobId,
          entry.shard,
          "running",
          {
            itemHashes: Object.fromEntries(done),
          },
          ["running"],
        );
      },
      onLog: this.ctx.onContainerLog,
    });
    this.ctx.onRunSeconds?.(spec.kind, (performance.now() - started) / 1000);
    if (result.status !== "succeeded") {
      log.error({ status: result.status, reason: result.reason }, "container shard failed; it will not be submitted");
      this.move(current, "failed", { reason: result.reason, status: result.status });
      return;
    }
    const receipt = {
      imageId: result.runs[0]?.imageId,
      imageRepoDigest: result.runs[0]?.imageRepoDigest,
      runs: result.runs.map((r) => ({
        item: r.item,
        exitCode: r.exitCode,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        durationMs: r.durationMs,
      })),
      root: result.root,
    };
    await fs.writeFile(path.join(workDir, "receipt.json"), JSON.stringify(receipt, null, 2));
    const units = result.units < maxUnits ? result.units : maxUnits;
    this.move(current, "ran", {
      root: result.root,
      units,
      itemStart: items?.start ?? null,
      itemEnd: items?.end ?? null,
      itemHashList: result.itemHashes,
      receipt,
    });
  }

  private async prove(entry: JournalEntry, onChain: ChainShard) {
    const root = onChain.resultRoot;
    const block = await this.ctx.chain.publicClient.getBlock({ blockNumber: onChain.submittedBlock });
    const beacon = shardBeacon({
      chainId: this.ctx.chain.chainId,
      jobMarket: this.ctx.chain.contracts.JobMarket,
      jobId: entry.jobId,
      shard: entry.shard,
      root,
      blockHash: block.hash,
    });
    const kind = entry.data.kind as "matmul-int8" | "container";
    const proof = {
      jobId: entry.jobId,
      shard: entry.shard,
      operator: this.ctx.chain.address,
      root,
      units: onChain.units,
      beacon,
      kind,
    };
    if (kind === "matmul-int8") {
      const m = (entry.data.rowEnd as number) - (entry.data.rowStart as number);
      const spec = await this.spec(entry);
      if (spec.kind !== "matmul-int8") throw new ShardStepError("AGENT_SPEC_KIND", "spec kind changed");
      const { c, commitment } = await loadMatmulShard(shardWorkDir(this.ctx.dataDir, entry.jobId, entry.shard), {
        m,
        n: spec.n,
      });
      const rows = revealRows(c, spec.n, commitment, sampleIndices(beacon, m)).map(encodeRevealedRow);
      return this.ctx.oracle.attestShard({ ...proof, rows });
    }
    const spec = await this.spec(entry);
    if (spec.kind !== "container") throw new ShardStepError("AGENT_SPEC_KIND", "spec kind changed");
    const receipt = entry.data.receipt as { imageId: string; runs: { startedAt: string; finishedAt: string }[] };
    const itemHashes = (entry.data.itemHashList as Hex[]) ?? [];
    let items: ShardProof["items"];
    if (spec.verification === "sampled" && itemHashes.length > 0) {
      const tree = StandardMerkleTree.load(commitOutputs({ mode: "items", itemHashes }).tree!);
      items = sampleIndices(beacon, itemHashes.length).map((index) => ({
        index,
        outputHash: itemHashes[index],
        proof: tree.getProof(index) as Hex[],
      }));
    }
    const seconds = (iso: string) => Date.parse(iso) / 1000;
    return this.ctx.oracle.attestShard({
      ...proof,
      items,
      receipt: {
        imageDigest: receipt.imageId,
        exitCode: 0,
        startedAt: Math.floor(Math.min(...receipt.runs.map((r) => seconds(r.startedAt)))),
        finishedAt: Math.floor(Math.max(...receipt.runs.map((r) => seconds(r.finishedAt)))),
        gpuSamples: [],
        outputsRoot: root,
      },
    });
  }
}
