// sdk/oracleApi: the wire parsers name the bad field; the client maps server errors.
import { expect } from "chai";
import {
  parseChallengeRequest,
  parseProofRequest,
  OracleApiFieldError,
  parseSignedShardAttestation,
} from "../../sdk/oracleApi/types";
import { OracleClient, OracleRequestError, OracleUnavailableError } from "../../sdk/oracleApi/client";

const ROOT = `0x${"ab".repeat(32)}`;
const good = {
  jobId: "12",
  shard: 1,
  operator: "0x" + "11".repeat(20),
  resultRoot: ROOT,
  units: "3",
  kind: "matmul-int8",
  rows: [{ index: 0, row: "AAAAAA==", proof: [ROOT] }],
};

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(OracleApiFieldError);
    return (err as OracleApiFieldError).field;
  }
  throw new Error("did not throw");
}

describe("sdk/oracleApi", function () {
  it("parses a proof request and checksums the operator", function () {
    const parsed = parseProofRequest(good);
    expect(parsed.operator).to.equal("0x1111111111111111111111111111111111111111");
    expect(parsed.rows).to.have.length(1);
  });

  it("names the first bad field of a proof request", function () {
    expect(fieldOf(() => parseProofRequest([]))).to.equal("body");
    expect(fieldOf(() => parseProofRequest({ ...good, jobId: 12 }))).to.equal("jobId");
    expect(fieldOf(() => parseProofRequest({ ...good, jobId: "012" }))).to.equal("jobId");
    expect(fieldOf(() => parseProofRequest({ ...good, units: (1n << 64n).toString() }))).to.equal("units");
    expect(fieldOf(() => parseProofRequest({ ...good, kind: "other" }))).to.equal("kind");
    expect(fieldOf(() => parseProofRequest({ ...good, resultRoot: "0x12" }))).to.equal("resultRoot");
    expect(fieldOf(() => parseProofRequest({ ...good, rows: [{ index: -1, row: "", proof: [] }] }))).to.equal(
      "rows[0].index",
    );
    expect(fieldOf(() => parseProofRequest({ ...good, rows: [{ index: 0, row: "!", proof: [] }] }))).to.equal(
      "rows[0].row",
    );
    expect(fieldOf(() => parseProofRequest({ ...good, extra: 1 }))).to.equal("extra");
    expect(fieldOf(() => parseProofRequest({ ...good, rows: undefined }))).to.equal("rows");
  });

  // Regression: a CPU-only agent claims 0 MiB of VRAM (the contract allows it); the oracle refused it.
  it("accepts a capacity challenge request with 0 MiB of VRAM (a CPU host)", function () {
    const request = { operator: good.operator, claimedOpsPerSec: "1000000", vramMiB: 0, gpuModel: ROOT };
    expect(parseChallengeRequest(request).vramMiB).to.equal(0);
    expect(fieldOf(() => parseChallengeRequest({ ...request, vramMiB: -1 }))).to.equal("vramMiB");
  });

  it("refuses a signed attestation without a 65-byte signature", function () {
    const answer = {
      status: "signed",
      attestation: {
        market: good.operator,
        jobId: "1",
        shard: 0,
        operator: good.operator,
        resultRoot: ROOT,
        verdict: 1,
        units: "1",
        expiry: "9",
      },
      signer: good.operator,
      signature: "0x12",
      verified: true,
      reason: "verified",
    };
    expect(fieldOf(() => parseSignedShardAttestation(answer))).to.equal("signature");
    expect(
      fieldOf(() =>
        parseSignedShardAttestation({
          ...answer,
          signature: "0x" + "00".repeat(65),
          attestation: { ...answer.attestation, verdict: 4 },
        }),
      ),
    ).to.equal("attestation.verdict");
    // DeveloperFault (3) is a verdict an oracle signs (PROTOCOL §18.2).
    expect(
      parseSignedShardAttestation({
        ...answer,
        signature: "0x" + "00".repeat(65),
        attestation: { ...answer.attestation, verdict: 3 },
      }).attestation.verdict,
    ).to.equal(3);
  });

  it("turns a JSON error answer into OracleRequestError, a 404 attestation into undefined, and no server into OracleUnavailableError", async function () {
    const fetchStub = (async (url: string) => {
      if (url.includes("/v1/attestations/1/0"))
        return new Response(
          JSON.stringify({ error: { code: "ORACLE_NO_ATTESTATION", message: "none", details: {} } }),
          { status: 404 },
        );
      return new Response(
        JSON.stringify({ error: { code: "ORACLE_RATE_LIMITED", message: "slow down", details: { retryAfterMs: 5 } } }),
        { status: 429 },
      );
    }) as unknown as typeof fetch;
    const client = new OracleClient({ baseUrl: "http://127.0.0.1:1/", fetch: fetchStub });
    expect(await client.getAttestation(1n, 0)).to.equal(undefined);
    const err = await client.listChallenges(good.operator as `0x${string}`).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OracleRequestError);
    expect((err as OracleRequestError).code).to.equal("ORACLE_RATE_LIMITED");
    expect((err as OracleRequestError).status).to.equal(429);
    expect((err as OracleRequestError).details.retryAfterMs).to.equal(5);
    const down = await new OracleClient({ baseUrl: "http://127.0.0.1:8648", timeoutMs: 2000 })
      .health()
      .catch((e: unknown) => e);
    expect(down).to.be.instanceOf(OracleUnavailableError);
  });
});
