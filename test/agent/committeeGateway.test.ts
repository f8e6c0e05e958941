import { expect } from "chai";
import { committeeGateway, OracleQuorumError, proofRequest } from "../../agent/oracle/committeeGateway";
import type { ShardProof } from "../../agent/oracle/oracleGateway";
import { createLogger } from "../../sdk/log/createLogger";
import { OracleRequestError, OracleUnavailableError, type OracleClient } from "../../sdk/oracleApi/client";
import type {
  ProofRequest,
  ProofResponse,
  ShardAttestationJson,
  SignedShardAttestation,
} from "../../sdk/oracleApi/types";

const logger = createLogger({ name: "test", level: "silent", destination: { write: () => undefined } });
const addr = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as const;
const proof: ShardProof = {
  jobId: 7n,
  shard: 1,
  operator: addr(0xaa),
  root: `0x${"11".repeat(32)}`,
  units: 3n,
  beacon: `0x${"22".repeat(32)}`,
  kind: "matmul-int8",
  rows: [],
};
const attestation = (verdict: 1 | 2): ShardAttestationJson => ({
  market: addr(0xcc),
  jobId: "7",
  shard: 1,
  operator: addr(0xaa),
  resultRoot: proof.root,
  verdict,
  units: verdict === 1 ? "3" : "0",
  expiry: "1000",
});

/**
 * A unit-test double of one oracle's client: answers the scripted responses in turn; `decided` is
 * what `GET /v1/attestations` answers (undefined: 404), and `gets` counts those reads.
 */
function client(
  script: (ProofResponse | Error)[],
  seen: ProofRequest[] = [],
  decided: () => SignedShardAttestation | undefined = () => undefined,
  gets: { n: number } = { n: 0 },
): OracleClient {
  let i = 0;
  return {
    async submitProof(body: ProofRequest) {
      seen.push(body);
      const next = script[Math.min(i++, script.length - 1)];
      if (next instanceof Error) throw next;
      return next;
    },
    async getAttestation() {
      gets.n++;
      return decided();
    },
  } as unknown as OracleClient;
}
const httpError = (status: number, code: string, details: Record<string, unknown> = {}) =>
  new OracleRequestError(status, code, `HTTP ${status}`, details);
const signed = (signer: number, verdict: 1 | 2 = 1): ProofResponse => ({
  status: "signed",
  attestation: attestation(verdict),
  signer: addr(signer),
  signature: `0x${signer.toString(16).padStart(2, "0").repeat(65)}`,
  verified: true,
  reason: "ok",
});

describe("agent/oracle/committeeGateway", () => {
  it("posts the wire proof to every oracle, waits out `pending`, and returns t signatures over one attestation", async () => {
    const seen: ProofRequest[] = [];
    const gateway = committeeGateway({
      clients: [
        client([{ status: "pending", reason: "not seen yet" }, signed(3)], seen),
        client([signed(1, 2)]),
        client([signed(2)]),
      ],
      threshold: async () => 2,
      logger,
      pendingDelayMs: 1,
    });
    const quorum = await gateway.attestShard(proof);
    expect(quorum.attestation).to.deep.equal({ ...attestation(1), jobId: 7n, units: 3n, expiry: 1000n });
    expect(quorum.signatures.map((s) => s.signer).sort()).to.deep.equal([addr(2), addr(3)]);
    expect(seen).to.have.length(2);
    expect(seen[0]).to.deep.equal(proofRequest(proof));
    expect(seen[0].jobId).to.equal("7");
  });

  it("refuses when no attestation reaches the threshold, naming every oracle's answer", async () => {
    const gateway = committeeGateway({
      clients: [client([signed(1)]), client([signed(2, 2)]), client([new Error("connection refused")])],
      threshold: async () => 2,
      logger,
    });
    try {
      await gateway.attestShard(proof);
      expect.fail("no quorum was reached");
    } catch (err) {
      expect(err).to.be.instanceOf(OracleQuorumError);
      expect((err as OracleQuorumError).details.answers).to.deep.equal([
        "oracle 0: verdict 1 (ok)",
        "oracle 1: verdict 2 (ok)",
        "oracle 2: connection refused",
      ]);
    }
  });

  // Regression (PROTOCOL §18.6): one 503, 429 or dropped connection made the oracle's answer an error
  // for the whole pass, so a quorum that was a retry away waited a pass (and near the reveal
  // deadline, never came).
  it("transient oracle errors are retried within the pass: 503, 429 after its retryAfterMs, network", async () => {
    const waits: number[] = [];
    const seen: ProofRequest[][] = [[], [], []];
    const gateway = committeeGateway({
      clients: [
        client([httpError(503, "ORACLE_EXECUTOR_UNAVAILABLE"), signed(1)], seen[0]),
        client([httpError(429, "ORACLE_RATE_LIMITED", { retryAfterMs: 1234 }), signed(2)], seen[1]),
        client([new OracleUnavailableError("ORACLE_UNREACHABLE", "socket hang up"), signed(3)], seen[2]),
      ],
      threshold: async () => 3,
      logger,
      sleep: async (ms) => void waits.push(ms),
    });
    const quorum = await gateway.attestShard(proof);
    expect(quorum.signatures).to.have.length(3);
    expect(seen.map((s) => s.length)).to.deep.equal([2, 2, 2]);
    expect(waits).to.include(1234);
  });

  it("gives up on an oracle that stays unavailable after its retries, and never retries 400, 403 or 409", async () => {
    const seen: ProofRequest[][] = [[], [], [], []];
    const gets = { n: 0 };
    const gateway = committeeGateway({
      clients: [
        client([httpError(503, "ORACLE_CHAIN_UNAVAILABLE")], seen[0]),
        client([httpError(400, "ORACLE_BAD_FIELD")], seen[1]),
        client([httpError(403, "ORACLE_WRONG_OPERATOR")], seen[2]),
        client([httpError(409, "ORACLE_SHARD_MISMATCH")], seen[3], () => undefined, gets),
      ],
      threshold: async () => 1,
      logger,
      transientRetries: 2,
      sleep: async () => undefined,
    });
    let err: unknown;
    try {
      await gateway.attestShard(proof);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(OracleQuorumError);
    expect(seen.map((s) => s.length)).to.deep.equal([3, 1, 1, 1]);
    // The 409 asked for the oracle's decision (none): no second post.
    expect(gets.n).to.equal(1);
  });

  // Regression (PROTOCOL §18.6): a later pass posted the whole proof again to an oracle that had
  // already decided, and an oracle answering 409 (the shard final on-chain) was an error even when
  // it held the signed decision.
  it("an oracle that already decided is read with GET /v1/attestations, not posted to again", async () => {
    const seen: ProofRequest[][] = [[], [], []];
    const gets = [{ n: 0 }, { n: 0 }, { n: 0 }];
    let second = false;
    const gateway = committeeGateway({
      clients: [
        client([signed(1)], seen[0], () => (second ? (signed(1) as SignedShardAttestation) : undefined), gets[0]),
        client(
          [
            new OracleUnavailableError("ORACLE_UNREACHABLE", "down"),
            new OracleUnavailableError("ORACLE_UNREACHABLE", "down"),
            signed(2),
          ],
          seen[1],
          () => undefined,
          gets[1],
        ),
        client([httpError(409, "ORACLE_SHARD_MISMATCH")], seen[2], () => signed(3) as SignedShardAttestation, gets[2]),
      ],
      threshold: async () => 3,
      logger,
      transientRetries: 1,
      sleep: async () => undefined,
    });
    // Pass 1: oracle 1 stays down past its retries; oracle 2's 409 is answered by its decision.
    await gateway.attestShard(proof).then(
      () => expect.fail("two signatures are not the threshold of 3"),
      (err) => expect(err).to.be.instanceOf(OracleQuorumError),
    );
    expect(seen.map((s) => s.length)).to.deep.equal([1, 2, 1]);
    // Pass 2: oracles 0 and 2 decided and are read, not posted to; oracle 1 is posted to again.
    second = true;
    const quorum = await gateway.attestShard(proof);
    expect(quorum.signatures.map((s) => s.signer).sort()).to.deep.equal([addr(1), addr(2), addr(3)]);
    expect(seen.map((s) => s.length)).to.deep.equal([1, 3, 1]);
    expect(gets.map((g) => g.n)).to.deep.equal([1, 1, 2]);
  });
});

describe("agent/oracle/committeeGateway: answers about another operator's result", () => {
  it("a quorum of the shard's decision for another operator (its claim, §20.10) is no quorum for this one", async () => {
    // Found by `npm run load`: an agent that took a reopened shard whose assigned operator's claim the
    // oracles had already signed got that claim's attestations back, counted them as its quorum, and
    // sent `settle` forever (MarketAttestationMismatch). Old rule: every identical group counted.
    const theirs = (signer: number): ProofResponse => ({
      status: "signed",
      attestation: { ...attestation(1), operator: addr(0xbb), resultRoot: `0x${"33".repeat(32)}`, expiry: "2000" },
      signer: addr(signer),
      signature: `0x${signer.toString(16).padStart(2, "0").repeat(65)}`,
      verified: true,
      reason: "verified",
    });
    const gateway = committeeGateway({
      clients: [client([theirs(1)]), client([theirs(2)]), client([theirs(3)])],
      threshold: async () => 2,
      logger,
      pendingDelayMs: 1,
    });
    const err = await gateway.attestShard(proof).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OracleQuorumError);
    expect((err as OracleQuorumError).code).to.equal("AGENT_NO_QUORUM");
  });
});
