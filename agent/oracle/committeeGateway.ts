import { getAddress } from "viem";
import { RigelError } from "../../sdk/errors/RigelError";
import type { Logger } from "../../sdk/log/createLogger";
import { OracleRequestError, OracleUnavailableError, type OracleClient } from "../../sdk/oracleApi/client";
import { Verdict } from "../../sdk/eip712/types";
import {
  shardAttestationFromJson,
  type ClaimRequest,
  type ProofRequest,
  type SignedShardAttestation,
} from "../../sdk/oracleApi/types";
import type { ClaimOutcome, ClaimTicket, OracleGateway, ShardClaim, ShardProof, ShardQuorum } from "./oracleGateway";

/** Fewer than `threshold` oracles signed one identical attestation. */
export class OracleQuorumError extends RigelError {
  override readonly name = "OracleQuorumError";
}

/** The arguments of {@link committeeGateway}. */
export interface CommitteeGatewayParameters {
  /** One client per oracle of the committee (sdk/oracleApi OracleClient, with the operator account). */
  clients: readonly OracleClient[];
  /** The committee's threshold t (OracleCommittee.threshold()). */
  threshold: () => Promise<number>;
  logger: Logger;
  /** How often to re-post while an oracle answers `pending` (it has not seen the submission yet). */
  pendingRetries?: number;
  pendingDelayMs?: number;
  /**
   * Retries within one call of an oracle's transient error (HTTP 503, 429, network): default 3, each
   * after `transientDelayMs` × 2^(try − 1) (default 500 ms), or the 429's `retryAfterMs`, at most
   * `maxDelayMs` (default 5 s).
   */
  transientRetries?: number;
  transientDelayMs?: number;
  maxDelayMs?: number;
  /** Waits between tries (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * A claim goes to the first t clients only, and to the rest only when those give no quorum (agent
   * config `claimFirstQuorum`; default false: every oracle at once). Each oracle verifies against its
   * own beacon, so a 2-of-3 committee does a third less work; the committee's relay should be listed
   * first, since it batches only what it decided itself (PROTOCOL §20.10).
   */
  claimFirstQuorum?: boolean;
}

/** The wire form of a proof (PROTOCOL §13, `POST /v1/proofs`). */
export function proofRequest(proof: ShardProof): ProofRequest {
  return {
    jobId: proof.jobId.toString(),
    shard: proof.shard,
    operator: proof.operator,
    resultRoot: proof.root,
    units: proof.units.toString(),
    kind: proof.kind,
    ...(proof.rows ? { rows: proof.rows } : {}),
    ...(proof.items ? { items: proof.items } : {}),
    ...(proof.receipt ? { receipt: proof.receipt } : {}),
    ...(proof.failure ? { failure: proof.failure } : {}),
    ...(proof.claim ? { claim: true } : {}),
  };
}

/** The wire form of a claim (PROTOCOL §20.10, `POST /v1/claims`). */
export function claimRequest(claim: ShardClaim): ClaimRequest {
  return {
    jobId: claim.jobId.toString(),
    shard: claim.shard,
    operator: claim.operator,
    resultRoot: claim.root,
    units: claim.units.toString(),
    kind: claim.kind,
  };
}

/**
 * The 422 codes by which an oracle refuses a claim for good (PROTOCOL §20.10): this oracle will not
 * sign it, whatever the agent sends again.
 */
export const CLAIM_REFUSAL_CODES: readonly string[] = [
  "ORACLE_CLAIM_UNSUPPORTED",
  "ORACLE_CLAIM_REFUSED",
  "ORACLE_NOT_ELIGIBLE",
  "ORACLE_CLAIM_LATE",
];

/** An oracle that will not sign this claim: the reason (an old oracle's 404, a 422 refusal, another verdict). */
class ClaimRefusal {
  constructor(readonly reason: string) {}
}

/** An oracle's error that refuses a claim for good: 404 (no claims there), a refusal 422, or 409 `ORACLE_CLAIM_CONFLICT`. */
function claimRefusal(err: unknown, i: number): ClaimRefusal | undefined {
  if (!(err instanceof OracleRequestError)) return undefined;
  if (err.status === 404) return new ClaimRefusal(`oracle ${i}: no claims (404 ${err.code})`);
  if (
    (err.status === 422 && CLAIM_REFUSAL_CODES.includes(err.code)) ||
    (err.status === 409 && err.code === "ORACLE_CLAIM_CONFLICT")
  ) {
    return new ClaimRefusal(`oracle ${i}: ${err.code} (${err.message})`);
  }
  return undefined;
}

/**
 * The signed answers grouped by their attestation (every field: honest oracles sign the identical
 * struct, PROTOCOL §13.1): the first group of at least `threshold` distinct signers, or undefined.
 */
function quorumOf(answers: readonly SignedShardAttestation[], threshold: number): ShardQuorum | undefined {
  const groups = new Map<string, SignedShardAttestation[]>();
  for (const a of answers) {
    const key = JSON.stringify(a.attestation);
    const group = groups.get(key) ?? [];
    if (!group.some((g) => getAddress(g.signer) === getAddress(a.signer))) group.push(a);
    groups.set(key, group);
  }
  const quorum = [...groups.values()].find((g) => g.length >= threshold);
  if (!quorum) return undefined;
  return {
    attestation: shardAttestationFromJson(quorum[0].attestation),
    signatures: quorum.map((a) => ({ signer: a.signer, signature: a.signature })),
  };
}

/**
 * Only answers about this operator's own result count towards its quorum: an oracle that decided the
 * shard for another operator (a claim of the assigned operator, PROTOCOL §20.10, before this agent
 * took the reopened shard) answers that decision, which settles nothing for us; without a quorum of
 * our own the shard expires after its verify window (refund, collateral back, no slash, §18.1).
 */
const about =
  (operator: string, resultRoot: string) =>
  (a: SignedShardAttestation): boolean =>
    getAddress(a.attestation.operator) === getAddress(operator) &&
    a.attestation.resultRoot.toLowerCase() === resultRoot.toLowerCase();

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An oracle's signed answer (not an error, a refusal, or an oracle not asked). */
const isSigned = (a: unknown): a is SignedShardAttestation =>
  a !== undefined && !(a instanceof Error) && !(a instanceof ClaimRefusal);

/** An oracle error worth another try within the pass: 503, 429, or no (JSON) answer at all. */
function isTransient(err: unknown): boolean {
  if (err instanceof OracleUnavailableError) return true;
  return err instanceof OracleRequestError && (err.status === 503 || err.status === 429);
}

/** The oracle's own decision for this proof's shard (root and operator included), or undefined. */
async function decidedAnswer(
  client: OracleClient,
  body: Pick<ProofRequest, "jobId" | "shard" | "resultRoot" | "operator">,
): Promise<SignedShardAttestation | undefined> {
  let answer: SignedShardAttestation | undefined;
  try {
    answer = await client.getAttestation(BigInt(body.jobId), body.shard);
  } catch {
    return undefined; // unreachable now: posting decides (and reports) it
  }
  if (!answer) return undefined;
  const same =
    answer.attestation.resultRoot.toLowerCase() === body.resultRoot.toLowerCase() &&
    getAddress(answer.attestation.operator) === getAddress(body.operator);
  return same ? answer : undefined;
}

/**
 * The daemon's way to the committee (PROTOCOL §14.6, §18.6): posts the proof to every oracle at once,
 * then groups the signed answers by their attestation (every honest oracle signs the identical struct,
 * PROTOCOL §13.1) and returns the first group of at least t distinct signers. Per oracle, within the
 * call: an answer `pending` is posted again (`pendingRetries`); a transient error (503, 429, network)
 * is retried a few times with a short backoff (a 429 after its `retryAfterMs`); 400, 403 and other
 * errors are not retried; a 409 (the shard is final, or the oracle decided otherwise) and every call
 * after the first for a shard (a later pass) first fetch the oracle's decision
 * (`GET /v1/attestations/:jobId/:shard`) instead of posting again. Throws {@link OracleQuorumError}
 * naming each oracle's answer when no group reaches t; the driver retries on a later pass.
 * `claimShard` (PROTOCOL §20.10) does the same per oracle for a claim: `POST /v1/claims`, the proof
 * built from that oracle's beacon, posted with `claim: true`; only Valid signatures count, and 404 /
 * 422 refusals that leave fewer than t oracles end the claim (`refused`).
 */
export function committeeGateway(p: CommitteeGatewayParameters): OracleGateway {
  const retries = p.pendingRetries ?? 20;
  const delay = p.pendingDelayMs ?? 500;
  const transientRetries = p.transientRetries ?? 3;
  const transientDelay = p.transientDelayMs ?? 500;
  const maxDelay = p.maxDelayMs ?? 5000;
  const sleep = p.sleep ?? wait;
  /** `<oracle>:<jobId>:<shard>` of proofs posted before (in this process): a later pass asks first. */
  const posted = new Set<string>();

  const ask = async (client: OracleClient, i: number, body: ProofRequest): Promise<SignedShardAttestation | Error> => {
    const key = `${i}:${body.jobId}:${body.shard}`;
    if (posted.has(key)) {
      const decided = await decidedAnswer(client, body);
      if (decided) return decided;
    }
    posted.add(key);
    return post(client, i, body);
  };

  /** Posts one proof to one oracle: `pending` asked again, transient errors retried, a 409 read back. */
  const post = async (client: OracleClient, i: number, body: ProofRequest): Promise<SignedShardAttestation | Error> => {
    let pending = 0;
    let transient = 0;
    for (;;) {
      try {
        const answer = await client.submitProof(body);
        if (answer.status === "signed") return answer;
        if (pending++ >= retries) return new Error(`oracle ${i}: still pending (${answer.reason})`);
        await sleep(delay);
        continue;
      } catch (err) {
        if (err instanceof OracleRequestError && err.status === 409) return (await decidedAnswer(client, body)) ?? err;
        if (!isTransient(err) || transient++ >= transientRetries) return err as Error;
        const after = err instanceof OracleRequestError ? Number(err.details.retryAfterMs) : NaN;
        const ms = Number.isFinite(after) && after >= 0 ? after : transientDelay * 2 ** (transient - 1);
        p.logger.debug({ oracle: i, err, retryInMs: Math.min(ms, maxDelay) }, "oracle busy or unreachable; retrying");
        await sleep(Math.min(ms, maxDelay));
      }
    }
  };

  /** Calls `fn` with the transient retries of a proof (503, 429, network); other errors pass through. */
  const withRetries = async <T>(i: number, fn: () => Promise<T>): Promise<T> => {
    for (let transient = 0; ;) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransient(err) || transient++ >= transientRetries) throw err;
        const after = err instanceof OracleRequestError ? Number(err.details.retryAfterMs) : NaN;
        const ms = Number.isFinite(after) && after >= 0 ? after : transientDelay * 2 ** (transient - 1);
        p.logger.debug({ oracle: i, err, retryInMs: Math.min(ms, maxDelay) }, "oracle busy or unreachable; retrying");
        await sleep(Math.min(ms, maxDelay));
      }
    }
  };

  /**
   * One oracle's part of a claim (PROTOCOL §20.10): the claim (its nonce and beacon; the same claim
   * again gets the same), the proof built from that beacon, posted with `claim: true`. A later pass
   * first reads the oracle's decision. A Valid signature, a refusal for good, or an error (asked again
   * on a later pass).
   */
  const claimAt = async (
    client: OracleClient,
    i: number,
    claim: ShardClaim,
    prove: (ticket: ClaimTicket) => Promise<ShardProof>,
  ): Promise<SignedShardAttestation | ClaimRefusal | Error> => {
    const wire = claimRequest(claim);
    const key = `${i}:${wire.jobId}:${wire.shard}`;
    const valid = (a: SignedShardAttestation) =>
      a.attestation.verdict === Verdict.Valid
        ? a
        : new ClaimRefusal(`oracle ${i}: signed verdict ${a.attestation.verdict} for a claim`);
    if (posted.has(key)) {
      const decided = await decidedAnswer(client, wire);
      if (decided) return valid(decided);
    }
    let ticket: ClaimTicket;
    try {
      const answer = await withRetries(i, () => client.claim(wire));
      ticket = { nonce: answer.nonce, beacon: answer.beacon };
    } catch (err) {
      return claimRefusal(err, i) ?? (err as Error);
    }
    let body: ProofRequest;
    try {
      body = proofRequest({ ...(await prove(ticket)), claim: true });
    } catch (err) {
      return err as Error;
    }
    posted.add(key);
    const answer = await post(client, i, body);
    if (answer instanceof Error) return claimRefusal(answer, i) ?? answer;
    return valid(answer);
  };

  return {
    async claimShard(claim, prove): Promise<ClaimOutcome> {
      const threshold = await p.threshold();
      const ask = (indices: number[]) => Promise.all(indices.map((i) => claimAt(p.clients[i], i, claim, prove)));
      const all = p.clients.map((_c, i) => i);
      let answers: (SignedShardAttestation | ClaimRefusal | Error | undefined)[];
      if (p.claimFirstQuorum && threshold < p.clients.length) {
        answers = [...(await ask(all.slice(0, threshold))), ...all.slice(threshold).map(() => undefined)];
        const first = answers.filter((a): a is SignedShardAttestation => isSigned(a));
        if (!quorumOf(first.filter(about(claim.operator, claim.root)), threshold)) {
          // Short of a quorum at the first t: the others now, side by side.
          const rest = await ask(all.slice(threshold));
          answers = [...answers.slice(0, threshold), ...rest];
        }
      } else answers = await ask(all);
      const signed = answers.filter((a): a is SignedShardAttestation => isSigned(a));
      const found = quorumOf(signed.filter(about(claim.operator, claim.root)), threshold);
      const summary = answers.map((a, i) =>
        a === undefined
          ? `oracle ${i}: not asked (the first ${threshold} gave a quorum)`
          : a instanceof ClaimRefusal
            ? a.reason
            : a instanceof Error
              ? `oracle ${i}: ${a.message}`
              : `oracle ${i}: verdict ${a.attestation.verdict} (${a.reason})`,
      );
      const refusals = answers.filter((a) => a instanceof ClaimRefusal).length;
      if (found) {
        p.logger.info({ jobId: claim.jobId.toString(), shard: claim.shard, answers: summary }, "claim quorum gathered");
        p.clients.forEach((_c, i) => posted.delete(`${i}:${claim.jobId}:${claim.shard}`));
        return { quorum: found };
      }
      if (p.clients.length - refusals < threshold) {
        p.clients.forEach((_c, i) => posted.delete(`${i}:${claim.jobId}:${claim.shard}`));
        return {
          refused: `${refusals} of ${p.clients.length} oracles refused the claim (threshold ${threshold})`,
          answers: summary,
        };
      }
      throw new OracleQuorumError("AGENT_NO_QUORUM", `fewer than ${threshold} oracles signed the claim`, {
        details: { answers: summary },
      });
    },

    async attestShard(proof: ShardProof): Promise<ShardQuorum> {
      const body = proofRequest(proof);
      const answers = await Promise.all(p.clients.map((client, i) => ask(client, i, body)));
      const threshold = await p.threshold();
      const quorum = quorumOf(
        answers
          .filter((a): a is SignedShardAttestation => !(a instanceof Error))
          .filter(about(body.operator, body.resultRoot)),
        threshold,
      );
      const summary = answers.map((a, i) =>
        a instanceof Error
          ? `oracle ${i}: ${a.message}`
          : `oracle ${i}: verdict ${a.attestation.verdict} (${a.reason})`,
      );
      if (!quorum) {
        throw new OracleQuorumError("AGENT_NO_QUORUM", `fewer than ${threshold} oracles signed one attestation`, {
          details: { answers: summary },
        });
      }
      p.logger.info({ jobId: body.jobId, shard: body.shard, answers: summary }, "quorum gathered");
      p.clients.forEach((_c, i) => posted.delete(`${i}:${body.jobId}:${body.shard}`));
      return quorum;
    },
  };
}
