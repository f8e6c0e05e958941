import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Hex } from "viem";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { RigelError } from "../../sdk/errors/RigelError";
import type { OracleClient } from "../../sdk/oracleApi/client";
import { capacityAttestationFromJson, type CapacityChallengeJson } from "../../sdk/oracleApi/types";
import { capacityBeacon, nonceCommitment } from "../../sdk/pow/beacon";
import { encodeRevealedRow } from "../../sdk/pow/revealedRowWire";
import { revealSample } from "../../sdk/pow/revealSample";
import type { AgentChain } from "../chain/agentChain";
import { loadMatmulShard, runMatmulShard, type MatmulDevice } from "../work/matmulShard";

/** A capacity challenge the agent could not answer (too late, a nonce that breaks its commitment). */
export class CapacityChallengeError extends RigelError {
  override readonly name = "CapacityChallengeError";
}

/** What answering a challenge gave: the times and the recorded attestation. */
export interface AnswerCapacityChallengeReturnType {
  challengeId: Hex;
  root: Hex;
  computeSeconds: number;
  opsPerSec: bigint;
  recordTx: Hex;
}

/**
 * Answers one capacity challenge (docs/PROTOCOL.md §13.2, §14.7): computes C of the challenge's
 * workload on this host's device, sends the root to the issuing oracle before the deadline, checks the
 * revealed nonce against its commitment, reveals the sample (`revealSample` with the challenge's own
 * `s`), and records the returned quorum on-chain with `OperatorStaking.recordCapacity` (signatures
 * sorted by signer).
 */
export async function answerCapacityChallenge(p: {
  client: OracleClient;
  challenge: CapacityChallengeJson;
  chain: AgentChain;
  device: MatmulDevice;
  pythonPath?: string;
  /** The CPU kernel's threads: the same setting as the shards', so the attested speed is the one jobs get. */
  cpuThreads?: number;
}): Promise<AnswerCapacityChallengeReturnType> {
  const { challenge } = p;
  if (Date.now() > challenge.deadlineMs) {
    throw new CapacityChallengeError("AGENT_CHALLENGE_LATE", `challenge ${challenge.challengeId} is past its deadline`);
  }
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), "rigel-capacity-"));
  try {
    const started = performance.now();
    const spec = {
      kind: "matmul-int8" as const,
      version: 1,
      seed: challenge.seed,
      m: challenge.m,
      n: challenge.n,
      k: challenge.k,
      rowStart: 0,
      rowEnd: challenge.m,
    };
    const result = await runMatmulShard({
      spec,
      rows: { start: 0, end: challenge.m },
      workDir,
      device: p.device,
      pythonPath: p.pythonPath,
      cpuThreads: p.cpuThreads,
    });
    const computeSeconds = (performance.now() - started) / 1000;
    const answer = await p.client.commitRoot(challenge.challengeId, result.root);
    if (nonceCommitment(answer.nonce).toLowerCase() !== challenge.nonceCommitment.toLowerCase()) {
      throw new CapacityChallengeError("AGENT_CHALLENGE_NONCE", "the revealed nonce does not match its commitment", {
        details: { challengeId: challenge.challengeId },
      });
    }
    const beacon = capacityBeacon({ challengeId: challenge.challengeId, root: result.root, nonce: answer.nonce });
    const { c, commitment } = await loadMatmulShard(workDir, { m: challenge.m, n: challenge.n });
    const rows = revealSample({ c, m: challenge.m, n: challenge.n, commitment, beacon, s: challenge.s }).map(
      encodeRevealedRow,
    );
    const signed = await p.client.reveal(challenge.challengeId, { rows });
    const attestation = capacityAttestationFromJson(signed.attestation);
    const tx = await p.chain.recordCapacity(attestation, sortSignaturesBySigner(signed.signatures));
    return {
      challengeId: challenge.challengeId,
      root: result.root,
      computeSeconds,
      opsPerSec: attestation.opsPerSec,
      recordTx: tx.hash,
    };
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}
