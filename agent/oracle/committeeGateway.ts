import { getAddress } from "viem";
import { RigelError } from "../../sdk/errors/RigelError";
import type { Logger } from "../../sdk/log/createLogger";
import type { OracleClient } from "../../sdk/oracleApi/client";
import { shardAttestationFromJson, type ProofRequest, type SignedShardAttestation } from "../../sdk/oracleApi/types";
import type { OracleGateway, ShardProof, ShardQuorum } from "./oracleGateway";

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
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The daemon's way to the committee: posts the proof to every oracle at once (one round trip each;
 * re-posting is idempotent at the oracle), retries an oracle that answers `pending`, then groups the
 * signed answers by their attestation (every honest oracle signs the identical struct, PROTOCOL §13.1)
 * and returns the first group of at least t distinct signers. Throws {@link OracleQuorumError} naming
 * each oracle's answer when no group reaches t; the driver retries on a later pass.
 */
export function committeeGateway(p: CommitteeGatewayParameters): OracleGateway {
  const retries = p.pendingRetries ?? 20;
  const delay = p.pendingDelayMs ?? 500;
  return {
    async attestShard(proof: ShardProof): Promise<ShardQuorum> {
      const body = proofRequest(proof);
      const answers = await Promise.all(
        p.clients.map(async (client, i): Promise<SignedShardAttestation | Error> => {
          for (let attempt = 0; ; attempt++) {
            try {
              const answer = await client.submitProof(body);
              if (answer.status === "signed") return answer;
              if (attempt >= retries) return new Error(`oracle ${i}: still pending (${answer.reason})`);
            } catch (err) {
              return err as Error;
            }
            await sleep(delay);
          }
        }),
      );
      const threshold = await p.threshold();
      const groups = new Map<string, SignedShardAttestation[]>();
      for (const a of answers) {
        if (a instanceof Error) continue;
        const key = JSON.stringify(a.attestation);
        const group = groups.get(key) ?? [];
        if (!group.some((g) => getAddress(g.signer) === getAddress(a.signer))) group.push(a);
        groups.set(key, group);
      }
      const quorum = [...groups.values()].find((g) => g.length >= threshold);
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
      return {
        attestation: shardAttestationFromJson(quorum[0].attestation),
        signatures: quorum.map((a) => ({ signer: a.signer, signature: a.signature })),
      };
    },
  };
}
