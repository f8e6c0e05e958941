import { expect } from "chai";
import { committeeGateway, OracleQuorumError, proofRequest } from "../../agent/oracle/committeeGateway";
import type { ShardProof } from "../../agent/oracle/oracleGateway";
import { createLogger } from "../../sdk/log/createLogger";
import type { OracleClient } from "../../sdk/oracleApi/client";
import type { ProofRequest, ProofResponse, ShardAttestationJson } from "../../sdk/oracleApi/types";

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

/** A unit-test double of one oracle's client: answers the scripted responses in turn. */
function client(script: (ProofResponse | Error)[], seen: ProofRequest[] = []): OracleClient {
  let i = 0;
  return {
    async submitProof(body: ProofRequest) {
      seen.push(body);
      const next = script[Math.min(i++, script.length - 1)];
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as OracleClient;
}
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
});
