import { randomBytes } from "node:crypto";
import { encodeAbiParameters, getAddress, keccak256, toHex, type Address, type Hex, type LocalAccount } from "viem";
import { signRequest } from "../../sdk/auth/signRequest";
import { signCapacityAttestation } from "../../sdk/eip712/capacityAttestation";
import { hashCapacityAttestation } from "../../sdk/eip712/capacityAttestation";
import type { CapacityAttestation, RigelDomain } from "../../sdk/eip712/types";
import { HttpError } from "../../sdk/errors/HttpError";
import { RigelError } from "../../sdk/errors/RigelError";
import type { Logger } from "../../sdk/log/createLogger";
import {
  capacityAttestationFromJson,
  capacityAttestationToJson,
  parseCapacityAttestationJson,
  parseCapacityChallengeJson,
  parseErrorResponse,
  type CapacityAttestationJson,
  type CapacityChallengeJson,
  type ChallengeRequest,
  type NonceResponse,
  type SignedCapacityAttestation,
} from "../../sdk/oracleApi/types";
import { capacityBeacon, nonceCommitment } from "../../sdk/pow/beacon";
import { generatedOperands } from "../../sdk/pow/operands";
import { decodeRevealedRow, type RevealedRowJson } from "../../sdk/pow/revealedRowWire";
import { verifySampledRowsStreamed } from "../../sdk/pow/verifySampledRowsStreamed";
import type { DecisionStore } from "../store/decisionStore";
import type { ChallengeStore, StoredChallenge } from "./challengeStore";
import type { SigningGuard } from "../attest/signingGuard";

/** Challenge sizing and timing (PROTOCOL §13.2). */
export interface CapacityPolicy {
  /** n = k of every challenge. */
  size: number;
  /** The challenge should take about this long at the claimed speed. */
  targetSeconds: number;
  /** Most rows of a challenge (bounds the operator's and the verifier's memory). */
  maxRows: number;
  /** The root must arrive within `deadlineFactor × targetSeconds` (+ 5 s). */
  deadlineFactor: number;
  /**
   * validUntil = the chain's time when the coordinator signs + validitySeconds: OperatorStaking's
   * `capacityValidity`, read from the chain when the node starts (the contract refuses a longer
   * validity, and an attestation issued more than `capacityMaxAge` ago, both against its own block
   * time; PROTOCOL §6.5, §13.2).
   */
  validitySeconds: number;
  /** A peer co-signs opsPerSec up to (1 + tolerance) × its own measurement. */
  tolerance: number;
  /**
   * Milliseconds taken off a peer's own interval before it measures (at least 1 ms is left): the
   * root reaches a peer one forwarding hop after the coordinator, which on a loaded host can alone
   * exceed the relative tolerance of a short challenge.
   */
  relayAllowanceMs: number;
  sampleSize: number;
  /** Challenges one operator may hold open (issued within one deadline) at a coordinator. */
  maxOpenPerOperator: number;
  /** Challenges a coordinator may hold open in all (and a peer accepts from one coordinator) within one deadline. */
  maxOpen: number;
  /** Challenges are forgotten this long after they were issued or witnessed (ms). */
  retentionMs: number;
}

/** Every policy figure but the validity, which always comes from the chain. */
export const DEFAULT_CAPACITY_POLICY: Omit<CapacityPolicy, "validitySeconds"> = {
  size: 1024,
  targetSeconds: 10,
  maxRows: 65_536,
  deadlineFactor: 3,
  tolerance: 0.25,
  relayAllowanceMs: 500,
  sampleSize: 32,
  maxOpenPerOperator: 2,
  maxOpen: 256,
  retentionMs: 3_600_000,
};

export interface CapacityServiceParameters {
  account: LocalAccount;
  domain: RigelDomain;
  challenges: ChallengeStore;
  decisions: DecisionStore;
  /** Whether an address is an active committee member (peer calls are refused otherwise). */
  isCommitteeMember: (signer: Address) => Promise<boolean>;
  peers: readonly string[];
  policy: CapacityPolicy;
  logger: Logger;
  now?: () => number;
  /**
   * The chain's clock (the latest block's timestamp), which the issue time of an attestation is
   * stated in; absent: this node's own clock (`now`), for tests without a chain.
   */
  chainTime?: () => Promise<bigint>;
  /** The signed-digest log and halt, checked before every signature (PROTOCOL §18.5). */
  guard?: SigningGuard;
}

/** The subject of a capacity decision: one attestation per challenge, ever. */
const capacitySubject = (challengeId: Hex) => `capacity:${challengeId.toLowerCase()}`;

function stateError(message: string, details: Record<string, unknown> = {}): HttpError {
  return new HttpError(409, "ORACLE_CHALLENGE_STATE", message, { details });
}

/**
 * Capacity challenges (PROTOCOL §13.2). The coordinator — the node that issues a
 * challenge — times it with its own clock and announces the challenge and the root to its peers,
 * which witness both with their own clocks. After checking the reveal, the coordinator decides and
 * signs the CapacityAttestation and asks each peer to co-sign the identical struct; a peer checks
 * the sample itself and that the speed is not above its own measurement (plus tolerance).
 */
export class CapacityService {
  private readonly now: () => number;
  private nextPruneMs = 0;

  constructor(private readonly p: CapacityServiceParameters) {
    this.now = p.now ?? Date.now;
  }

  /** Now, in the clock an attestation's issue time is stated in: the chain's, when the node has one. */
  private async issueTime(): Promise<bigint> {
    return this.p.chainTime ? await this.p.chainTime() : BigInt(Math.floor(this.now() / 1000));
  }

  /** How long a challenge stays open: its deadline after issue. */
  private openMs(): number {
    return this.p.policy.deadlineFactor * this.p.policy.targetSeconds * 1000 + 5000;
  }

  /** Forgets challenges past the retention, at most once a minute. */
  private prune(): void {
    const now = this.now();
    if (now < this.nextPruneMs) return;
    this.nextPruneMs = now + 60_000;
    const gone = this.p.challenges.prune(now - this.p.policy.retentionMs);
    if (gone > 0) this.p.logger.debug({ gone }, "capacity challenges past retention forgotten");
  }

  /**
   * Refuses a new challenge beyond the caps (HTTP 429 `ORACLE_CHALLENGE_LIMIT`): at most
   * `maxOpenPerOperator` open for one operator and `maxOpen` in all from one coordinator, open
   * meaning issued within one deadline. What is refused is neither stored nor forwarded.
   */
  private checkCaps(coordinator: Address, operator?: Address): void {
    const since = this.now() - this.openMs();
    const { maxOpenPerOperator, maxOpen } = this.p.policy;
    if (operator && this.p.challenges.countSince(coordinator, since, operator) >= maxOpenPerOperator)
      throw new HttpError(429, "ORACLE_CHALLENGE_LIMIT", "this operator already holds the most open challenges", {
        details: { maxOpenPerOperator },
      });
    if (this.p.challenges.countSince(coordinator, since) >= maxOpen)
      throw new HttpError(429, "ORACLE_CHALLENGE_LIMIT", "this node holds the most open challenges", {
        details: { maxOpen },
      });
  }

  /** Issues a challenge sized to the claim (an operator's request, or one of a round). */
  async issue(request: ChallengeRequest, round = 0n): Promise<CapacityChallengeJson> {
    const { policy } = this.p;
    this.prune();
    this.checkCaps(this.p.account.address, request.operator);
    const n = policy.size;
    const k = policy.size;
    const claimed = BigInt(request.claimedOpsPerSec);
    // rows so that 2·m·n·k ≈ claimed × target
    const wanted = (claimed * BigInt(policy.targetSeconds)) / BigInt(2 * n * k);
    const m = Number(wanted < 64n ? 64n : wanted > BigInt(policy.maxRows) ? BigInt(policy.maxRows) : wanted);
    const seed = toHex(randomBytes(32));
    const nonce = toHex(randomBytes(32));
    const coordinator = this.p.account.address;
    const challengeId = keccak256(
      encodeAbiParameters(
        [{ type: "string" }, { type: "address" }, { type: "address" }, { type: "bytes32" }],
        ["rigel-capacity-v1", coordinator, request.operator, seed],
      ),
    );
    const issuedAtMs = this.now();
    const challenge: CapacityChallengeJson = {
      challengeId,
      operator: request.operator,
      coordinator,
      round: round.toString(),
      seed,
      m,
      n,
      k,
      s: Math.min(policy.sampleSize, m),
      issuedAtMs,
      deadlineMs: issuedAtMs + policy.deadlineFactor * policy.targetSeconds * 1000 + 5000,
      nonceCommitment: nonceCommitment(nonce),
      vramMiB: request.vramMiB,
      gpuModel: request.gpuModel,
      state: "issued",
    };
    this.p.challenges.save({ challenge, nonce, seenAtMs: issuedAtMs });
    await this.toPeers("POST", "/v1/peer/capacity/challenges", { challenge });
    return challenge;
  }

  /** The challenges this node issued to an operator (newest first). */
  list(operator: Address): CapacityChallengeJson[] {
    return this.p.challenges.issuedTo(operator, this.p.account.address).map((s) => s.challenge);
  }

  private own(challengeId: Hex, operator?: Address): StoredChallenge {
    const stored = this.p.challenges.get(challengeId);
    if (!stored || getAddress(stored.challenge.coordinator) !== this.p.account.address) {
      throw new HttpError(404, "ORACLE_UNKNOWN_CHALLENGE", "this node issued no such challenge");
    }
    if (operator && getAddress(stored.challenge.operator) !== operator) {
      throw new HttpError(403, "ORACLE_WRONG_OPERATOR", "the challenge was issued to another operator");
    }
    return stored;
  }

  /** The operator's root: the end of the timed interval; answers the nonce. */
  async commitRoot(challengeId: Hex, root: Hex, operator: Address): Promise<NonceResponse> {
    const stored = this.own(challengeId, operator);
    if (stored.challenge.state !== "issued")
      throw stateError("the root was already committed", { state: stored.challenge.state });
    const at = this.now();
    if (at > stored.challenge.deadlineMs) {
      stored.challenge.state = "failed";
      this.p.challenges.save(stored);
      throw stateError("the root arrived after the deadline", { deadlineMs: stored.challenge.deadlineMs, at });
    }
    stored.root = root;
    stored.rootAtMs = at;
    stored.challenge.state = "committed";
    this.p.challenges.save(stored);
    await this.toPeers("POST", `/v1/peer/capacity/challenges/${challengeId}/root`, { root });
    return this.nonceOf(stored);
  }

  nonce(challengeId: Hex): NonceResponse {
    const stored = this.own(challengeId);
    if (!stored.root) throw stateError("no root committed yet");
    return this.nonceOf(stored);
  }

  private nonceOf(s: StoredChallenge): NonceResponse {
    return { challengeId: s.challenge.challengeId, root: s.root!, nonce: s.nonce!, rootAtMs: s.rootAtMs! };
  }

  /** Checks the reveal, signs, gathers the peers' co-signatures. */
  async reveal(challengeId: Hex, rows: RevealedRowJson[], operator: Address): Promise<SignedCapacityAttestation> {
    const stored = this.own(challengeId, operator);
    const decided = this.p.decisions.get(capacitySubject(challengeId));
    if (decided?.signature) return JSON.parse(decided.payload) as SignedCapacityAttestation;
    if (stored.challenge.state !== "committed")
      throw stateError("reveal needs a committed root", { state: stored.challenge.state });
    const fault = await this.checkRows(stored, rows);
    if (fault) {
      stored.challenge.state = "failed";
      this.p.challenges.save(stored);
      throw new HttpError(422, "ORACLE_CAPACITY_REJECTED", `the reveal failed: ${fault}`, { details: { fault } });
    }
    const c = stored.challenge;
    const elapsed = Math.max(1, stored.rootAtMs! - c.issuedAtMs);
    const attestation: CapacityAttestation = {
      operator: c.operator,
      challengeId: c.challengeId,
      opsPerSec: (2n * BigInt(c.m) * BigInt(c.n) * BigInt(c.k) * 1000n) / BigInt(elapsed),
      vramMiB: c.vramMiB,
      gpuModel: c.gpuModel,
      validUntil: (await this.issueTime()) + BigInt(this.p.policy.validitySeconds),
    };
    const own = await this.signDecided(attestation);
    const signatures = [{ signer: this.p.account.address, signature: own }];
    const json = capacityAttestationToJson(attestation);
    const answers = await this.toPeers("POST", "/v1/peer/capacity/cosign", {
      challengeId,
      nonce: stored.nonce,
      rows,
      attestation: json,
    });
    for (const answer of answers) {
      const a = answer as { signer?: unknown; signature?: unknown } | undefined;
      if (typeof a?.signer === "string" && typeof a.signature === "string" && /^0x[0-9a-fA-F]{130}$/.test(a.signature))
        signatures.push({ signer: getAddress(a.signer), signature: a.signature as Hex });
    }
    stored.challenge.state = "attested";
    this.p.challenges.save(stored);
    return { status: "signed", attestation: json, signatures };
  }

  private async checkRows(stored: StoredChallenge, rows: RevealedRowJson[]): Promise<string | undefined> {
    const c = stored.challenge;
    try {
      const beacon = capacityBeacon({ challengeId: c.challengeId, root: stored.root!, nonce: stored.nonce! });
      await verifySampledRowsStreamed({
        operands: generatedOperands({ seed: c.seed, m: c.m, n: c.n, k: c.k }),
        root: stored.root!,
        beacon,
        s: c.s,
        revealed: rows.map(decodeRevealedRow),
      });
      return undefined;
    } catch (err) {
      if (err instanceof RigelError) return err.code;
      throw err;
    }
  }

  private async signDecided(attestation: CapacityAttestation): Promise<Hex> {
    const subject = capacitySubject(attestation.challengeId);
    const digest = hashCapacityAttestation(this.p.domain, attestation);
    const payload = {
      status: "signed",
      attestation: capacityAttestationToJson(attestation),
      signatures: [] as unknown[],
    };
    this.p.guard?.beforeSign(subject, digest);
    const decision = this.p.decisions.decide(subject, "capacity", digest, JSON.stringify(payload));
    if (decision.signature) return decision.signature;
    const signature = await signCapacityAttestation(this.p.account, this.p.domain, attestation);
    this.p.decisions.attachSignature(subject, digest, signature);
    return signature;
  }

  // ---- the peer side ----------------------------------------------------------------------------

  private async assertPeer(signer: Address): Promise<void> {
    if (!(await this.p.isCommitteeMember(signer)))
      throw new HttpError(403, "ORACLE_NOT_A_PEER", "the caller is not an active committee member");
  }

  /** A peer's announcement of a challenge it issued: witnessed with this node's clock. */
  async witnessChallenge(json: unknown, signer: Address): Promise<void> {
    await this.assertPeer(signer);
    const challenge = parseCapacityChallengeJson((json as { challenge?: unknown })?.challenge);
    if (getAddress(challenge.coordinator) !== signer)
      throw new HttpError(403, "ORACLE_NOT_A_PEER", "not the coordinator");
    if (this.p.challenges.get(challenge.challengeId)) return;
    this.prune();
    this.checkCaps(signer, challenge.operator);
    this.p.challenges.save({ challenge, seenAtMs: this.now() });
  }

  /** A coordinator forwards the root it received: witnessed with this node's clock. */
  async witnessRoot(challengeId: Hex, root: Hex, signer: Address): Promise<void> {
    await this.assertPeer(signer);
    const stored = this.p.challenges.get(challengeId);
    if (!stored || getAddress(stored.challenge.coordinator) !== signer)
      throw new HttpError(404, "ORACLE_UNKNOWN_CHALLENGE", "no such challenge from this coordinator");
    if (stored.root) return;
    stored.root = root;
    stored.rootAtMs = this.now();
    this.p.challenges.save(stored);
  }

  /** Co-signs the coordinator's attestation after checking everything this node can check itself. */
  async cosign(body: unknown, signer: Address): Promise<{ signer: Address; signature: Hex }> {
    await this.assertPeer(signer);
    const b = (body ?? {}) as { challengeId?: unknown; nonce?: unknown; rows?: unknown; attestation?: unknown };
    const attestation: CapacityAttestationJson = parseCapacityAttestationJson(b.attestation);
    const stored = this.p.challenges.get(attestation.challengeId);
    if (!stored || getAddress(stored.challenge.coordinator) !== signer || !stored.root || stored.rootAtMs === undefined)
      throw new HttpError(409, "ORACLE_CHALLENGE_STATE", "this node did not witness the challenge and its root");
    const c = stored.challenge;
    if (
      typeof b.nonce !== "string" ||
      !/^0x[0-9a-fA-F]{64}$/.test(b.nonce) ||
      nonceCommitment(b.nonce as Hex) !== c.nonceCommitment
    )
      throw new HttpError(422, "ORACLE_CAPACITY_REJECTED", "the nonce does not match its commitment");
    if (!Array.isArray(b.rows)) throw new HttpError(400, "ORACLE_BAD_FIELD", "rows: must be an array");
    const fault = await this.checkRows({ ...stored, nonce: b.nonce as Hex }, b.rows as RevealedRowJson[]);
    if (fault) throw new HttpError(422, "ORACLE_CAPACITY_REJECTED", `the reveal failed: ${fault}`);
    const elapsed = Math.max(1, stored.rootAtMs - stored.seenAtMs - this.p.policy.relayAllowanceMs);
    const witnessed = (2 * c.m * c.n * c.k * 1000) / elapsed;
    const issuedBy = await this.issueTime();
    if (
      getAddress(attestation.operator) !== getAddress(c.operator) ||
      attestation.vramMiB !== c.vramMiB ||
      attestation.gpuModel !== c.gpuModel.toLowerCase() ||
      Number(attestation.opsPerSec) > witnessed * (1 + this.p.policy.tolerance) ||
      BigInt(attestation.validUntil) > issuedBy + BigInt(this.p.policy.validitySeconds + 300)
    ) {
      throw new HttpError(422, "ORACLE_CAPACITY_REJECTED", "the attestation is not what this node witnessed", {
        details: { witnessedOpsPerSec: Math.floor(witnessed) },
      });
    }
    return {
      signer: this.p.account.address,
      signature: await this.signDecided(capacityAttestationFromJson(attestation)),
    };
  }

  /** Calls every peer (signed with this node's key); failures are logged and skipped. */
  private async toPeers(method: "POST", path: string, body: unknown): Promise<unknown[]> {
    const text = JSON.stringify(body);
    const results = await Promise.allSettled(
      this.p.peers.map(async (base) => {
        const headers = {
          "content-type": "application/json",
          ...(await signRequest(this.p.account, { method, path, body: text })),
        };
        const response = await fetch(base.replace(/\/+$/, "") + path, {
          method,
          headers,
          body: text,
          signal: AbortSignal.timeout(10_000),
        });
        const json: unknown = await response.json().catch(() => undefined);
        if (!response.ok)
          throw new RigelError("ORACLE_PEER_REFUSED", parseErrorResponse(json)?.message ?? `HTTP ${response.status}`);
        return json;
      }),
    );
    const answers: unknown[] = [];
    results.forEach((r, i) => {
      if (r.status === "fulfilled") answers.push(r.value);
      else this.p.logger.warn({ peer: this.p.peers[i], path, err: r.reason }, "peer call failed");
    });
    return answers;
  }
}
