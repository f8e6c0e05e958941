// An operator driven by hand from a test, with its own key and no agent: it accepts, computes and
// submits a matmul shard itself, and posts exactly the proof requests a scenario needs (the right
// sample, a sample from another beacon, wrong rows, none at all), so a test controls what an honest
// or cheating operator sends and when.
import { parseEventLogs, type Hex } from "viem";
import { jobMarketAbi } from "../../../sdk/contracts/abis";
import { ShardState } from "../../../sdk/market/enums";
import { readShard } from "../../../sdk/market/readShard";
import { sortSignaturesBySigner } from "../../../sdk/eip712/sortSignatures";
import { OracleClient } from "../../../sdk/oracleApi/client";
import { shardAttestationFromJson, type ProofRequest, type SignedShardAttestation } from "../../../sdk/oracleApi/types";
import { shardBeacon } from "../../../sdk/pow/beacon";
import { revealSample } from "../../../sdk/pow/revealSample";
import { encodeRevealedRow } from "../../../sdk/pow/revealedRowWire";
import { proveMatmulWindow } from "../../../sdk/pow/rowWindow";
import type { MatmulProof } from "../../../sdk/pow/prove";
import type { MatmulInt8Spec } from "../../../sdk/spec/jobSpecTypes";
import { matmulShardRows, matmulUnits } from "../../../sdk/spec/shardWork";
import type { DevAccount, Devnet } from "../../../scripts/lib/devnet";
import { sendAs } from "../../../scripts/lib/network";

/** A root the hand operator submitted for a shard (any kind; `submittedBlock` 0 until submitted). */
export interface SubmittedRoot {
  jobId: bigint;
  shard: number;
  root: Hex;
  units: bigint;
  submittedBlock: bigint;
}

/** A matmul shard the hand operator computed and submitted. */
export interface HandShard {
  jobId: bigint;
  shard: number;
  proof: MatmulProof;
  rows: number;
  n: number;
  units: bigint;
  root: Hex;
  submittedBlock: bigint;
}

export class HandOperator {
  readonly clients: OracleClient[];

  constructor(
    readonly devnet: Devnet,
    readonly account: DevAccount,
    oracleUrls: readonly string[],
  ) {
    this.clients = oracleUrls.map((baseUrl) => new OracleClient({ baseUrl, account: account.account }));
  }

  get address() {
    return this.account.address;
  }

  /** Accepts the shard, computes its rows of C and submits the root (units = the shard's matmul units). */
  async acceptAndSubmit(spec: MatmulInt8Spec, jobId: bigint, shards: number, shard: number): Promise<HandShard> {
    await this.accept(jobId, shard);
    return this.submit(await this.compute(spec, jobId, shards, shard));
  }

  async accept(jobId: bigint, shard: number): Promise<void> {
    const market = this.devnet.deployment.contracts.JobMarket;
    await sendAs(this.devnet, this.account, {
      address: market,
      abi: jobMarketAbi,
      functionName: "accept",
      args: [jobId, shard],
    });
  }

  /** The shard's rows of C and their commitment (submittedBlock 0 until `submit`). */
  async compute(spec: MatmulInt8Spec, jobId: bigint, shards: number, shard: number): Promise<HandShard> {
    const range = matmulShardRows(spec, shards, shard);
    const proof = await proveMatmulWindow(
      { seed: spec.seed, m: spec.m, n: spec.n, k: spec.k },
      { rowStart: range.start, rowEnd: range.end },
    );
    const rows = range.end - range.start;
    const work = matmulUnits(rows, spec.n, spec.k);
    return {
      jobId,
      shard,
      proof,
      rows,
      n: spec.n,
      units: work < 1n ? work : 1n,
      root: proof.commitment.root,
      submittedBlock: 0n,
    };
  }

  /** Submits the shard's root; returns the shard with its beacon block. */
  async submit<T extends SubmittedRoot>(s: T): Promise<T> {
    const receipt = await sendAs(this.devnet, this.account, {
      address: this.devnet.deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "submit",
      args: [s.jobId, s.shard, s.root, s.units, ""],
    });
    const [submitted] = parseEventLogs({ abi: jobMarketAbi, eventName: "ShardSubmitted", logs: receipt.logs });
    return { ...s, submittedBlock: submitted.args.blockNumber };
  }

  /** The shard's beacon from `blockhash(block)` (the submission's block for the right sample). */
  async beacon(s: SubmittedRoot, block = s.submittedBlock): Promise<Hex> {
    const { hash } = await this.devnet.client.getBlock({ blockNumber: block });
    return shardBeacon({
      chainId: this.devnet.chain.id,
      jobMarket: this.devnet.deployment.contracts.JobMarket,
      jobId: s.jobId,
      shard: s.shard,
      root: s.root,
      blockHash: hash,
    });
  }

  /** The proof request of the rows drawn from `beacon`, optionally with every revealed value changed (a cheat). */
  proofRequest(s: HandShard, beacon: Hex, corrupt = false): ProofRequest {
    const rows = revealSample({ c: s.proof.c, m: s.rows, n: s.n, commitment: s.proof.commitment, beacon }).map((r) =>
      encodeRevealedRow(corrupt ? { ...r, row: r.row.map((v) => (v + 1) | 0) } : r),
    );
    return {
      jobId: s.jobId.toString(),
      shard: s.shard,
      operator: this.address,
      resultRoot: s.root,
      units: s.units.toString(),
      kind: "matmul-int8",
      rows,
    };
  }

  /** Posts one proof to every oracle; each answer or error, in oracle order. */
  async post(request: ProofRequest): Promise<(SignedShardAttestation | { status: "pending" } | Error)[]> {
    return Promise.all(
      this.clients.map(async (c) => {
        try {
          const answer = await c.submitProof(request);
          return answer.status === "signed" ? answer : { status: "pending" as const };
        } catch (err) {
          return err as Error;
        }
      }),
    );
  }

  /**
   * Settles the shard with the signed answers that agree with the first one; a shard the oracles'
   * relay settled first is left as it is.
   */
  async settle(answers: readonly SignedShardAttestation[]): Promise<void> {
    const attestation = shardAttestationFromJson(answers[0].attestation);
    const signatures = sortSignaturesBySigner(
      answers.filter((a) => JSON.stringify(a.attestation) === JSON.stringify(answers[0].attestation)),
    );
    const market = this.devnet.deployment.contracts.JobMarket;
    try {
      await sendAs(this.devnet, this.account, {
        address: market,
        abi: jobMarketAbi,
        functionName: "settle",
        args: [attestation, signatures],
      });
    } catch (err) {
      const shard = await readShard(this.devnet.client, { market, jobId: attestation.jobId, shard: attestation.shard });
      if (shard.state === ShardState.Submitted) throw err;
    }
  }
}
