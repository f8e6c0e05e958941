// The peer side of batched settlement: POST /v1/verdict-batches (PROTOCOL §13, §20.6). A node
// co-signs only leaves its own decision store holds, identical; every refusal signs nothing.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toHex, type Hex } from "viem";
import { signRequest } from "../../sdk/auth/signRequest";
import { rigelDomain, Verdict, type ShardAttestation, type VerdictBatch } from "../../sdk/eip712/types";
import { hashVerdictBatch, recoverVerdictBatchSigner } from "../../sdk/eip712/verdictBatch";
import { verdictsRoot } from "../../sdk/market/verdictTree";
import { OracleClient, OracleRequestError } from "../../sdk/oracleApi/client";
import {
  shardVerdictFromJson,
  shardVerdictOfAttestation,
  shardVerdictToJson,
  type VerdictBatchRequest,
} from "../../sdk/oracleApi/types";
import { batchSubject } from "../../oracle/attest/batchSigner";
import { ShardSigner } from "../../oracle/attest/shardSigner";
import type { OracleNode } from "../../oracle/oracleNode";
import { DecisionStore } from "../../oracle/store/decisionStore";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import { accountOf, startOracle, tempDir } from "../../fixtures/oracleHarness";

describe("oracle: POST /v1/verdict-batches, the co-sign route (PROTOCOL §20.6)", function () {
  let p: Protocol;
  let node: OracleNode;
  let market: Hex;
  let decided: ShardAttestation[];

  const domain = () => rigelDomain(31337, p.committee.target as Hex);

  beforeEach(async function () {
    p = await loadFixture(deployProtocol);
    market = (await p.market.getAddress()) as Hex;
    node = await startOracle(p, p.oracles[0], tempDir("batch-route"));
    // Three verdicts this node decided (as its proof intake would), written through its own store and log.
    const shards = new ShardSigner(accountOf(p.oracles[0]), domain(), new DecisionStore(node.db!), node.guard);
    decided = [];
    for (let i = 0; i < 3; i++) {
      const a: ShardAttestation = {
        market,
        jobId: BigInt(100 + i),
        shard: i,
        operator: p.ops[i % 2].address as Hex,
        resultRoot: keccak256(toHex(`root-${i}`)),
        verdict: i === 2 ? Verdict.Invalid : Verdict.Valid,
        units: i === 2 ? 0n : 4096n,
        expiry: 2_000_000_000n + BigInt(i),
      };
      await shards.sign(a, true, "verified");
      decided.push(a);
    }
  });

  afterEach(async function () {
    await node.shutdown();
  });

  const peerClient = (i = 1) => new OracleClient({ baseUrl: node.url, account: accountOf(p.oracles[i]) });
  const requestOf = (atts: ShardAttestation[], expiry = 2_000_000_000n): VerdictBatchRequest => ({
    market,
    expiry: expiry.toString(),
    verdicts: atts.map((a) => shardVerdictToJson(shardVerdictOfAttestation(a))),
  });

  it("identical leaves: signs the VerdictBatch over their root, logs its digest under batch:<market>:<root>, and signs it again the same", async function () {
    const request = requestOf(decided);
    const answer = await peerClient().cosignVerdictBatch(request);
    expect(answer.status).to.equal("signed");
    if (answer.status !== "signed") return;
    const root = verdictsRoot(request.verdicts.map(shardVerdictFromJson));
    expect(answer.root).to.equal(root);
    expect(answer.signer).to.equal(p.oracles[0].address);
    const batch: VerdictBatch = { market, verdictsRoot: root, count: 3, expiry: 2_000_000_000n };
    expect(await recoverVerdictBatchSigner(domain(), batch, answer.signature)).to.equal(p.oracles[0].address);
    expect(node.guard!.log.digestOf(batchSubject(market, root))).to.equal(hashVerdictBatch(domain(), batch));
    const again = await peerClient(2).cosignVerdictBatch(request);
    expect(again).to.deep.equal(answer);
  });

  it("an unknown leaf: 409 ORACLE_BATCH_UNKNOWN_VERDICTS with the missing list, nothing logged", async function () {
    const unknown = { ...decided[0], jobId: 999n, shard: 4 };
    const request = requestOf([decided[0], unknown, decided[1]]);
    const answer = await peerClient().cosignVerdictBatch(request);
    expect(answer).to.deep.equal({ status: "missing", missing: [{ jobId: "999", shard: 4 }] });
    const root = verdictsRoot(request.verdicts.map(shardVerdictFromJson));
    expect(node.guard!.log.digestOf(batchSubject(market, root))).to.equal(undefined);
  });

  it("a leaf with another verdict, operator, root or units than this node decided: 409 ORACLE_BATCH_VERDICT_MISMATCH, nothing signed", async function () {
    const variants = [
      { ...decided[0], verdict: Verdict.Invalid, units: 0n },
      { ...decided[0], units: decided[0].units + 1n },
      { ...decided[0], operator: p.ops[3].address as Hex },
      { ...decided[0], resultRoot: keccak256("0x01") as Hex },
    ];
    for (const v of variants) {
      const err = await peerClient()
        .cosignVerdictBatch(requestOf([v, decided[1]]))
        .catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OracleRequestError);
      expect(err).to.include({ status: 409, code: "ORACLE_BATCH_VERDICT_MISMATCH" });
      expect((err as OracleRequestError).details.mismatched).to.deep.equal([{ jobId: "100", shard: 0 }]);
    }
    expect(node.guard!.log.entries().filter((e) => e.subject.startsWith("batch:"))).to.have.length(0);
  });

  it("an expiry later than a leaf's own (submittedAt + verifyWindow): 422 ORACLE_BATCH_EXPIRY", async function () {
    const err = await peerClient()
      .cosignVerdictBatch(requestOf(decided, 2_000_000_001n))
      .catch((e: unknown) => e);
    expect(err).to.include({ status: 422, code: "ORACLE_BATCH_EXPIRY" });
    expect((err as OracleRequestError).details.maxExpiry).to.equal("2000000000");
  });

  it("a second statement over the same root (another expiry) is refused as equivocation: 409 EQUIVOCATION_REFUSED", async function () {
    await peerClient().cosignVerdictBatch(requestOf(decided, 2_000_000_000n));
    const err = await peerClient()
      .cosignVerdictBatch(requestOf(decided, 1_999_999_999n))
      .catch((e: unknown) => e);
    expect(err).to.include({ status: 409, code: "EQUIVOCATION_REFUSED" });
  });

  it("another market, a shard twice, an empty batch: 400 ORACLE_BAD_FIELD", async function () {
    const cases: [VerdictBatchRequest, string][] = [
      [{ ...requestOf(decided), market: p.ops[0].address as Hex }, "market"],
      [requestOf([decided[0], decided[0]]), "verdicts[1]"],
      [{ ...requestOf(decided), verdicts: [] }, "verdicts"],
    ];
    for (const [request, field] of cases) {
      const err = await peerClient()
        .cosignVerdictBatch(request)
        .catch((e: unknown) => e);
      expect(err).to.include({ status: 400, code: "ORACLE_BAD_FIELD" });
      expect((err as OracleRequestError).details.field).to.equal(field);
    }
  });

  it("not a committee member (an operator's key): 403 ORACLE_NOT_A_PEER", async function () {
    const err = await new OracleClient({ baseUrl: node.url, account: accountOf(p.ops[0]) })
      .cosignVerdictBatch(requestOf(decided))
      .catch((e: unknown) => e);
    expect(err).to.include({ status: 403, code: "ORACLE_NOT_A_PEER" });
  });

  it("unsigned, or a replay of a signed request: 401 AUTH_REQUEST_REFUSED", async function () {
    const body = JSON.stringify(requestOf(decided));
    const post = (headers: Record<string, string>) =>
      fetch(`${node.url}/v1/verdict-batches`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    const unsigned = await post({});
    expect(unsigned.status).to.equal(401);
    const headers = await signRequest(accountOf(p.oracles[1]), {
      method: "POST",
      path: "/v1/verdict-batches",
      body,
    });
    expect((await post(headers)).status).to.equal(200);
    const replay = await post(headers);
    expect(replay.status).to.equal(401);
    expect(((await replay.json()) as { error: { details: { fault: string } } }).error.details.fault).to.equal(
      "replayed",
    );
  });
});
