import type { Address, Hex, LocalAccount } from "viem";
import { hashShardAttestation, signShardAttestation } from "../../sdk/eip712/shardAttestation";
import type { RigelDomain, ShardAttestation } from "../../sdk/eip712/types";
import {
  parseSignedShardAttestation,
  shardAttestationFromJson,
  shardAttestationToJson,
  type SignedShardAttestation,
} from "../../sdk/oracleApi/types";
import type { Decision, DecisionStore } from "../store/decisionStore";
import type { SigningGuard } from "./signingGuard";

/** The decision-store subject of a shard: one verdict per (market, job, shard), ever. */
export function shardSubject(market: Address, jobId: bigint, shard: number): string {
  return `shard:${market.toLowerCase()}:${jobId}:${shard}`;
}

/**
 * Signs shard verdicts, never two different ones for a subject: the digest is first checked against
 * and appended to the signed-digest log that travels with the key (the guard, PROTOCOL §18.5: it
 * refuses another digest whatever the database says, and every signature while signing is halted),
 * then the digest and the answer are committed to SQLite (DecisionStore.decide throws
 * EquivocationRefusedError on a different digest), the signature is made and attached after, and
 * only then does it leave the process.
 */
export class ShardSigner {
  /** Told of every answer this signer makes or finishes (the relay's batcher listens, PROTOCOL §20.6). */
  onSigned?: (answer: SignedShardAttestation) => void;

  constructor(
    private readonly account: LocalAccount,
    private readonly domain: RigelDomain,
    private readonly decisions: DecisionStore,
    /** The signed-digest log and halt (absent only in tests of the database rule alone). */
    private readonly guard?: SigningGuard,
  ) {}

  get address(): Address {
    return this.account.address;
  }

  /** The stored signed answer for a shard, if this node decided it. */
  stored(market: Address, jobId: bigint, shard: number): SignedShardAttestation | undefined {
    const decision = this.decisions.get(shardSubject(market, jobId, shard));
    return decision?.signature ? answerOf(decision) : undefined;
  }

  /**
   * The node's answer for a shard, finishing a decision a crash left unsigned: the stored digest is
   * signed as it was decided (never re-decided). Undefined when the node never decided the shard.
   */
  async decided(market: Address, jobId: bigint, shard: number): Promise<SignedShardAttestation | undefined> {
    const decision = this.decisions.get(shardSubject(market, jobId, shard));
    if (!decision) return undefined;
    if (decision.signature) return answerOf(decision);
    const draft = JSON.parse(decision.payload) as Omit<SignedShardAttestation, "signature">;
    const attestation = shardAttestationFromJson(draft.attestation);
    return this.sign(attestation, draft.verified, draft.reason);
  }

  /** Decide (persist), sign, attach; a repeat of the same attestation returns the same signature. */
  async sign(attestation: ShardAttestation, verified: boolean, reason: string): Promise<SignedShardAttestation> {
    const subject = shardSubject(attestation.market, attestation.jobId, attestation.shard);
    const digest: Hex = hashShardAttestation(this.domain, attestation);
    const draft = {
      status: "signed" as const,
      attestation: shardAttestationToJson(attestation),
      signer: this.account.address,
      verified,
      reason,
    };
    this.guard?.beforeSign(subject, digest);
    const decision = this.decisions.decide(subject, "shard", digest, JSON.stringify(draft));
    if (decision.signature) return answerOf(decision);
    // The digest is on disk: signing it (again, after a crash) can never be equivocation.
    const signature = await signShardAttestation(this.account, this.domain, attestation);
    this.decisions.attachSignature(subject, digest, signature);
    const answer = answerOf({ ...decision, signature });
    this.onSigned?.(answer);
    return answer;
  }
}

function answerOf(decision: Decision): SignedShardAttestation {
  return parseSignedShardAttestation({ ...JSON.parse(decision.payload), signature: decision.signature });
}
