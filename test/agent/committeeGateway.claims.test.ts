import { expect } from "chai";
import type { Hex } from "viem";
import { claimRequest, committeeGateway, OracleQuorumError } from "../../agent/oracle/committeeGateway";
import type { ClaimTicket, ShardClaim, ShardProof } from "../../agent/oracle/oracleGateway";
import { buildShardProof, isClaimableRun } from "../../agent/shard/proveShard";
import type { RanData } from "../../agent/journal/shardData";
import type { ShardWorkspace } from "../../agent/shard/shardWorkspace";
import { createLogger } from "../../sdk/log/createLogger";
import { OracleRequestError, OracleUnavailableError, type OracleClient } from "../../sdk/oracleApi/client";
import type { ClaimRequest, ProofRequest, ProofResponse, ShardAttestationJson } from "../../sdk/oracleApi/types";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";

// PROTOCOL §20.10, the agent's side of a claim at the committee (agent/oracle/committeeGateway.ts
// `claimShard`) and the proof built from a claim's beacon (agent/shard/proveShard.ts).

const logger = createLogger({ name: "test", level: "silent", destination: { write: () => undefined } });
const addr = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as const;
const hex32 = (b: string) => `0x${b.repeat(32)}` as Hex;
const claim: ShardClaim = {
  jobId: 7n,
  shard: 1,
  operator: addr(0xaa),
  root: hex32("11"),
  units: 3n,
  kind: "matmul-int8",
};
const attestation = (verdict: 1 | 2): ShardAttestationJson => ({
  market: addr(0xcc),
  jobId: "7",
  shard: 1,
  operator: addr(0xaa),
  resultRoot: claim.root,
  verdict,
  units: "3",
  expiry: "1000",
});
const signed = (signer: number, verdict: 1 | 2 = 1): ProofResponse => ({
  status: "signed",
  attestation: attestation(verdict),
  signer: addr(signer),
  signature: `0x${signer.toString(16).padStart(2, "0").repeat(65)}`,
  verified: true,
  reason: "verified",
});
const httpError = (status: number, code: string) => new OracleRequestError(status, code, `HTTP ${status} ${code}`);

/** One oracle double: its claim answer (nonce `n`, beacon `b`) or error, then its proof answer or error. */
function oracle(
  n: string,
  proofAnswer: ProofResponse | Error,
  claimError?: Error,
): { client: OracleClient; claims: ClaimRequest[]; proofs: ProofRequest[] } {
  const claims: ClaimRequest[] = [];
  const proofs: ProofRequest[] = [];
  const client = {
    async claim(req: ClaimRequest) {
      claims.push(req);
      if (claimError) throw claimError;
      return { status: "claimed", nonce: hex32(n), beacon: hex32(n.split("").reverse().join("")), expiry: "1000" };
    },
    async submitProof(body: ProofRequest) {
      proofs.push(body);
      if (proofAnswer instanceof Error) throw proofAnswer;
      return proofAnswer;
    },
    async getAttestation() {
      return undefined;
    },
  } as unknown as OracleClient;
  return { client, claims, proofs };
}

/** A proof builder that records the tickets it was given and puts the ticket's beacon in the proof. */
function prover(tickets: ClaimTicket[] = []) {
  return async (ticket: ClaimTicket): Promise<ShardProof> => {
    tickets.push(ticket);
    return { ...claim, beacon: ticket.beacon, rows: [] };
  };
}

const gatewayWith = (options: { claimFirstQuorum?: boolean }, ...oracles: ReturnType<typeof oracle>[]) =>
  committeeGateway({
    clients: oracles.map((o) => o.client),
    threshold: async () => 2,
    logger,
    transientRetries: 0,
    sleep: async () => undefined,
    ...options,
  });
const gatewayOf = (...oracles: ReturnType<typeof oracle>[]) => gatewayWith({}, ...oracles);

describe("agent/oracle/committeeGateway claimShard (§20.10)", () => {
  it("claims at every oracle, proves to each from that oracle's beacon with claim: true, and returns the Valid quorum", async () => {
    const os = [oracle("a1", signed(1)), oracle("b2", signed(2)), oracle("c3", signed(3))];
    const tickets: ClaimTicket[] = [];
    const outcome = await gatewayOf(...os).claimShard!(claim, prover(tickets));
    if (!("quorum" in outcome)) throw new Error("no quorum");
    expect(outcome.quorum.signatures.map((s) => s.signer).sort()).to.deep.equal([addr(1), addr(2), addr(3)]);
    expect(outcome.quorum.attestation.verdict).to.equal(1);
    for (const [i, o] of os.entries()) {
      expect(o.claims).to.deep.equal([claimRequest(claim)]);
      expect(o.proofs).to.have.length(1);
      expect(o.proofs[0].claim).to.equal(true);
      expect(o.proofs[0].resultRoot).to.equal(claim.root);
      expect(tickets.map((t) => t.nonce)).to.include(hex32(["a1", "b2", "c3"][i]));
    }
    expect(new Set(tickets.map((t) => t.beacon)).size).to.equal(3);
  });

  it("claimFirstQuorum: the first t oracles only when they give a quorum; the others too when one of them does not", async () => {
    const firstOf = (...os: ReturnType<typeof oracle>[]) => gatewayWith({ claimFirstQuorum: true }, ...os);
    const os = [oracle("a1", signed(1)), oracle("b2", signed(2)), oracle("c3", signed(3))];
    const outcome = await firstOf(...os).claimShard!(claim, prover());
    if (!("quorum" in outcome)) throw new Error("no quorum");
    expect(outcome.quorum.signatures.map((s) => s.signer).sort()).to.deep.equal([addr(1), addr(2)]);
    expect(os[2].claims).to.have.length(0);
    expect(os[2].proofs).to.have.length(0);

    const short = [
      oracle("a1", signed(1)),
      oracle("b2", signed(2), httpError(422, "ORACLE_NOT_ELIGIBLE")),
      oracle("c3", signed(3)),
    ];
    const second = await firstOf(...short).claimShard!(claim, prover());
    if (!("quorum" in second)) throw new Error("no quorum");
    expect(second.quorum.signatures.map((s) => s.signer).sort()).to.deep.equal([addr(1), addr(3)]);
    expect(short[2].proofs).to.have.length(1);
  });

  it("is refused when 404 and 422 answers leave fewer oracles than the threshold, naming each answer", async () => {
    const os = [
      oracle("a1", signed(1)),
      oracle("b2", signed(2), httpError(404, "NOT_FOUND")),
      oracle("c3", httpError(422, "ORACLE_CLAIM_REFUSED")),
    ];
    const outcome = await gatewayOf(...os).claimShard!(claim, prover());
    if (!("refused" in outcome)) throw new Error("not refused");
    expect(outcome.refused).to.match(/2 of 3 oracles refused the claim/);
    expect(outcome.answers[1]).to.match(/no claims \(404/);
    expect(outcome.answers[2]).to.match(/ORACLE_CLAIM_REFUSED/);
    // The oracle that answered 404 to the claim was never sent a proof.
    expect(os[1].proofs).to.have.length(0);
  });

  for (const code of ["ORACLE_CLAIM_UNSUPPORTED", "ORACLE_NOT_ELIGIBLE", "ORACLE_CLAIM_LATE"]) {
    it(`a 422 ${code} to the claim is a refusal`, async () => {
      const os = [
        oracle("a1", signed(1), httpError(422, code)),
        oracle("b2", signed(2), httpError(422, code)),
        oracle("c3", signed(3)),
      ];
      const outcome = await gatewayOf(...os).claimShard!(claim, prover());
      expect(outcome).to.have.property("refused");
    });
  }

  it("throws AGENT_NO_QUORUM (asked again later) while a quorum is still possible", async () => {
    const os = [
      oracle("a1", signed(1)),
      oracle("b2", signed(2), new OracleUnavailableError("ORACLE_UNREACHABLE", "down")),
      oracle("c3", httpError(422, "ORACLE_CLAIM_REFUSED")),
    ];
    await gatewayOf(...os).claimShard!(claim, prover()).then(
      () => expect.fail("one signature is not a quorum of 2"),
      (err) => {
        expect(err).to.be.instanceOf(OracleQuorumError);
        expect((err as OracleQuorumError).code).to.equal("AGENT_NO_QUORUM");
      },
    );
  });

  it("never counts a signature that is not Valid, nor a proof the builder could not make", async () => {
    const os = [oracle("a1", signed(1)), oracle("b2", signed(2, 2)), oracle("c3", signed(3))];
    const err = await gatewayOf(...os).claimShard!(claim, async (ticket) => {
      if (ticket.nonce === hex32("c3")) throw new Error("cannot read c.bin");
      return { ...claim, beacon: ticket.beacon, rows: [] };
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Oracle 1 signed Invalid (a refusal for good), oracle 2 got no proof: one Valid signature, and
    // one refusal of 3 still leaves a quorum of 2 possible: asked again later.
    expect(err).to.be.instanceOf(OracleQuorumError);
    expect((err as OracleQuorumError).details.answers).to.deep.equal([
      "oracle 0: verdict 1 (verified)",
      "oracle 1: signed verdict 2 for a claim",
      "oracle 2: cannot read c.bin",
    ]);
    expect(os[2].proofs).to.have.length(0);
  });
});

const workspace = { dir: "/nonexistent" } as ShardWorkspace;
const containerData = (over: Partial<RanData> = {}) =>
  ({
    kind: "container",
    specURI: "data:",
    specHash: hex32("00"),
    runStartedAt: 0,
    root: hex32("11"),
    units: 3n,
    itemStart: 0,
    itemEnd: 4,
    itemHashList: [hex32("01"), hex32("02"), hex32("03"), hex32("04")],
    receipt: {
      imageId: "sha256:ab",
      runs: [
        { item: 0, exitCode: 0, startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:00:01Z", durationMs: 1 },
      ],
      root: hex32("11"),
    },
    ...over,
  }) as RanData;
const containerSpec = (verification: "sampled" | "receipt") => ({ kind: "container", verification }) as JobSpec;

describe("agent/shard/proveShard: claims (§20.10)", () => {
  it("claims matmul, llm-inference and sampled container runs; never receipt mode, a failed run or an item-less run", () => {
    expect(isClaimableRun({ kind: "matmul-int8" } as JobSpec, { kind: "matmul-int8" } as RanData)).to.equal(true);
    expect(isClaimableRun({ kind: "llm-inference" } as JobSpec, { kind: "llm-inference" } as RanData)).to.equal(true);
    expect(isClaimableRun(containerSpec("sampled"), containerData())).to.equal(true);
    expect(isClaimableRun(containerSpec("receipt"), containerData())).to.equal(false);
    const failure = { item: 1, status: "failed", exitCode: 3 } as const;
    expect(isClaimableRun(containerSpec("sampled"), containerData({ failure }))).to.equal(false);
    expect(isClaimableRun(containerSpec("sampled"), containerData({ itemHashList: [] }))).to.equal(false);
  });

  it("builds a claim's proof from the given beacon: the item sample alone, no receipt; refuses a failed run", async () => {
    const base = {
      chain: { address: addr(0xaa) },
      jobId: 7n,
      shard: 1,
      spec: containerSpec("sampled"),
      workspace,
      root: hex32("11"),
      units: 3n,
    };
    const a = await buildShardProof({ ...base, data: containerData(), beacon: hex32("a1"), claim: true });
    const b = await buildShardProof({ ...base, data: containerData(), beacon: hex32("b2"), claim: true });
    expect(a.claim).to.equal(true);
    expect(a.receipt).to.equal(undefined);
    expect(a.beacon).to.equal(hex32("a1"));
    expect(a.items!.length).to.be.greaterThan(0);
    expect(b.beacon).to.equal(hex32("b2"));
    // The on-chain path keeps its receipt.
    const onChain = await buildShardProof({ ...base, data: containerData(), beacon: hex32("a1") });
    expect(onChain.receipt?.outputsRoot).to.equal(hex32("11"));
    expect(onChain.claim).to.equal(undefined);
    const failure = { item: 1, status: "failed", exitCode: 3 } as const;
    await buildShardProof({ ...base, data: containerData({ failure }), beacon: hex32("a1"), claim: true }).then(
      () => expect.fail("a failed run was claimed"),
      (err) => expect(err.code).to.equal("AGENT_NOT_CLAIMABLE"),
    );
  });
});
