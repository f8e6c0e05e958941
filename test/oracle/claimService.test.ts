// The claim store and the checks of POST /v1/claims (PROTOCOL §20.10), against a fake chain reader:
// one test per rule, and the claim stored (durably, with one nonce) before it is answered.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getAddress, keccak256, toHex, zeroAddress, type Address } from "viem";
import { openDatabase } from "../../sdk/db/openDatabase";
import { createLogger } from "../../sdk/log/createLogger";
import { JobKind, VerificationMode } from "../../sdk/market/enums";
import { MarketUnknownJobError } from "../../sdk/market/readJob";
import type { ClaimRequest } from "../../sdk/oracleApi/types";
import { claimBeacon } from "../../sdk/pow/beacon";
import { HttpError } from "../../sdk/errors/HttpError";
import type { ClaimTerms, OperatorEligibility } from "../../oracle/chain/marketReader";
import { ClaimService, ineligibility } from "../../oracle/claims/claimService";
import { CLAIM_MIGRATIONS, CLAIM_SWEEP_MIGRATIONS, ClaimStore } from "../../oracle/store/claimStore";
import { openOracleDatabase } from "../../oracle/store/oracleDatabase";

const MARKET = getAddress("0x00000000000000000000000000000000000000aa");
const OPERATOR = getAddress("0x00000000000000000000000000000000000000b1");
const OTHER = getAddress("0x00000000000000000000000000000000000000b2");
const ROOT = keccak256(toHex("root"));
const NOW = 1_000_000n;

const terms = (over: Partial<ClaimTerms> = {}): ClaimTerms => ({
  assignedOperator: OPERATOR,
  shards: 1,
  maxUnitsPerShard: 100n,
  kind: JobKind.MatmulInt8,
  verificationMode: VerificationMode.Sampled,
  deadline: NOW + 3_600n,
  minVramMiB: 16_384,
  minOpsPerSec: 10n ** 12n,
  gang: false,
  collateral: 50n,
  ...over,
});

const eligible = (over: Partial<OperatorEligibility> = {}): OperatorEligibility => ({
  registered: true,
  jailedUntil: 0n,
  opsPerSec: 10n ** 12n,
  vramMiB: 16_384,
  capacityValidUntil: NOW + 86_400n,
  freeStake: 50n,
  ...over,
});

const request = (over: Partial<ClaimRequest> = {}): ClaimRequest => ({
  jobId: "7",
  shard: 0,
  operator: OPERATOR,
  resultRoot: ROOT,
  units: "40",
  kind: "matmul-int8",
  ...over,
});

function setup(
  chain: { terms?: ClaimTerms | (() => never); eligibility?: OperatorEligibility; now?: bigint } = {},
  store = new ClaimStore(openDatabase({ file: ":memory:", migrations: CLAIM_TABLES })),
) {
  const reads = { terms: 0, eligibility: 0 };
  const limited: Address[] = [];
  let draws = 0;
  const service = new ClaimService({
    reader: {
      market: MARKET,
      claimTerms: async () => {
        reads.terms++;
        const t = chain.terms ?? terms();
        return typeof t === "function" ? t() : t;
      },
      eligibilityOf: async () => {
        reads.eligibility++;
        return chain.eligibility ?? eligible();
      },
      chainTime: async () => chain.now ?? NOW,
    },
    claims: store,
    chainId: 31337,
    claimMarginSec: 60,
    logger: createLogger({ name: "claims-test", level: "silent" }),
    rateLimit: (signer) => limited.push(signer),
    drawNonce: () => keccak256(toHex(`nonce-${++draws}`)),
  });
  return { service, store, reads, limited };
}

const CLAIM_TABLES = [...CLAIM_MIGRATIONS, ...CLAIM_SWEEP_MIGRATIONS];

async function refusedWith(call: Promise<unknown>): Promise<HttpError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("oracle/store/ClaimStore", () => {
  it("stores the first claim of a shard and returns it again; a refusal is kept once", () => {
    const store = new ClaimStore(openDatabase({ file: ":memory:", migrations: CLAIM_TABLES }));
    const nonce = keccak256(toHex("n"));
    const c = {
      market: MARKET,
      jobId: 7n,
      shard: 2,
      operator: OPERATOR,
      resultRoot: ROOT,
      units: 40n,
      nonce,
      deadline: 99n,
    };
    const first = store.claim(c, 1234);
    expect(first.created).to.equal(true);
    expect(first.record).to.deep.equal({
      ...c,
      market: MARKET.toLowerCase(),
      operator: OPERATOR.toLowerCase(),
      createdAt: 1234,
      refusal: null,
    });
    // Another claim of the shard does not overwrite: the stored one comes back.
    const second = store.claim({ ...c, units: 41n, nonce: keccak256(toHex("m")) }, 5678);
    expect(second).to.deep.equal({ record: first.record, created: false });
    expect(store.get(MARKET, 7n, 1)).to.equal(undefined);
    expect(store.refuse(MARKET, 7n, 2, "POW_WRONG_ROW")).to.equal("POW_WRONG_ROW");
    expect(store.refuse(MARKET, 7n, 2, "OTHER")).to.equal("POW_WRONG_ROW");
    expect(store.get(MARKET, 7n, 2)!.refusal).to.equal("POW_WRONG_ROW");
  });

  it("pages the market's open claims in order for the relay's sweep: done and refused ones left out", () => {
    const store = new ClaimStore(openDatabase({ file: ":memory:", migrations: CLAIM_TABLES }));
    const claim = (jobId: bigint, market = MARKET) =>
      store.claim({
        market,
        jobId,
        shard: 0,
        operator: OPERATOR,
        resultRoot: ROOT,
        units: 1n,
        nonce: keccak256(toHex(`n${jobId}`)),
        deadline: 50n,
      });
    for (const jobId of [1n, 2n, 3n, 4n, 5n]) claim(jobId);
    claim(6n, "0x00000000000000000000000000000000000000bb");
    store.markDone(MARKET, 2n, 0);
    store.refuse(MARKET, 4n, 0, "POW_WRONG_ROW");
    const first = store.openAfter(MARKET, 0, 2);
    expect(first.map((c) => c.jobId)).to.deep.equal([1n, 3n]);
    expect(first[1]).to.include({ shard: 0, deadline: 50n, refusal: null });
    const rest = store.openAfter(MARKET, first[1].seq, 2);
    expect(rest.map((c) => c.jobId)).to.deep.equal([5n]);
    expect(store.openAfter(MARKET, rest[0].seq, 2)).to.deep.equal([]);
  });

  it("is part of the oracle database and survives a reopen with the same nonce", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rigel-claims-")), "oracle.sqlite");
    const nonce = keccak256(toHex("durable"));
    const db = openOracleDatabase(file);
    new ClaimStore(db).claim({
      market: MARKET,
      jobId: 1n,
      shard: 0,
      operator: OPERATOR,
      resultRoot: ROOT,
      units: 1n,
      nonce,
      deadline: 5n,
    });
    db.close();
    const reopened = openOracleDatabase(file);
    expect(new ClaimStore(reopened).get(MARKET, 1n, 0)!.nonce).to.equal(nonce);
    reopened.close();
  });
});

describe("oracle/claims/ClaimService (POST /v1/claims)", () => {
  it("answers the nonce, the claim beacon and the deadline, stored before the answer; the same claim again gets the same answer without a chain read", async () => {
    const { service, store, reads, limited } = setup();
    const answer = await service.handle(request(), OPERATOR);
    const stored = store.get(MARKET, 7n, 0)!;
    expect(stored).to.include({ resultRoot: ROOT, units: 40n, nonce: answer.nonce, deadline: NOW + 3_600n });
    expect(answer).to.deep.equal({
      status: "claimed",
      nonce: keccak256(toHex("nonce-1")),
      beacon: claimBeacon({ chainId: 31337, jobMarket: MARKET, jobId: 7n, shard: 0, root: ROOT, nonce: answer.nonce }),
      expiry: (NOW + 3_600n).toString(),
    });
    expect(await service.handle(request(), OPERATOR)).to.deep.equal(answer);
    expect(reads).to.deep.equal({ terms: 1, eligibility: 1 });
    expect(limited).to.deep.equal([OPERATOR, OPERATOR]);
  });

  it("another root or units for a claimed shard is 409 ORACLE_CLAIM_CONFLICT and the claim stands", async () => {
    const { service, store } = setup();
    const first = await service.handle(request(), OPERATOR);
    for (const other of [request({ units: "41" }), request({ resultRoot: keccak256(toHex("other")) })]) {
      const err = await refusedWith(service.handle(other, OPERATOR));
      expect([err.status, err.code]).to.deep.equal([409, "ORACLE_CLAIM_CONFLICT"]);
    }
    expect(store.get(MARKET, 7n, 0)!.nonce).to.equal(first.nonce);
  });

  it("a request not signed by its operator, or by an operator the shard is not assigned to, is 403 before any rate limit", async () => {
    const { service, limited, store } = setup();
    const unsigned = await refusedWith(service.handle(request(), OTHER));
    expect([unsigned.status, unsigned.code]).to.deep.equal([403, "ORACLE_WRONG_OPERATOR"]);
    const notAssigned = await refusedWith(service.handle(request({ operator: OTHER }), OTHER));
    expect([notAssigned.status, notAssigned.code]).to.deep.equal([403, "ORACLE_WRONG_OPERATOR"]);
    expect(limited).to.deep.equal([]);
    expect(store.get(MARKET, 7n, 0)).to.equal(undefined);
  });

  it("a shard not Open and assigned, a gang job's, or an unknown job's is 409 ORACLE_SHARD_MISMATCH", async () => {
    const cases: ClaimTerms[] = [terms({ assignedOperator: zeroAddress }), terms({ gang: true })];
    for (const t of cases) {
      const err = await refusedWith(setup({ terms: t }).service.handle(request(), OPERATOR));
      expect([err.status, err.code]).to.deep.equal([409, "ORACLE_SHARD_MISMATCH"]);
    }
    const unknown = setup({
      terms: () => {
        throw new MarketUnknownJobError(MARKET, 7n);
      },
    });
    const err = await refusedWith(unknown.service.handle(request(), OPERATOR));
    expect([err.status, err.code]).to.deep.equal([409, "ORACLE_SHARD_MISMATCH"]);
  });

  it("receipt mode is 422 ORACLE_CLAIM_UNSUPPORTED; another kind is 400", async () => {
    const receipt = setup({ terms: terms({ kind: JobKind.Container, verificationMode: VerificationMode.Receipt }) });
    const err = await refusedWith(receipt.service.handle(request({ kind: "container" }), OPERATOR));
    expect([err.status, err.code]).to.deep.equal([422, "ORACLE_CLAIM_UNSUPPORTED"]);
    const kind = await refusedWith(setup().service.handle(request({ kind: "container" }), OPERATOR));
    expect([kind.status, kind.code, kind.details.field]).to.deep.equal([400, "ORACLE_BAD_FIELD", "kind"]);
  });

  it("a deadline within claimMarginSec is 422 ORACLE_CLAIM_LATE; just beyond it is claimed", async () => {
    const late = setup({ terms: terms({ deadline: NOW + 60n }) });
    const err = await refusedWith(late.service.handle(request(), OPERATOR));
    expect([err.status, err.code]).to.deep.equal([422, "ORACLE_CLAIM_LATE"]);
    expect(late.store.get(MARKET, 7n, 0)).to.equal(undefined);
    const inTime = setup({ terms: terms({ deadline: NOW + 61n }) });
    expect((await inTime.service.handle(request(), OPERATOR)).expiry).to.equal((NOW + 61n).toString());
  });

  it("an operator accept would refuse is 422 ORACLE_NOT_ELIGIBLE with the reason, nothing stored", async () => {
    const { service, store } = setup({ eligibility: eligible({ freeStake: 49n }) });
    const err = await refusedWith(service.handle(request(), OPERATOR));
    expect([err.status, err.code, err.details.reason]).to.deep.equal([
      422,
      "ORACLE_NOT_ELIGIBLE",
      "insufficient-free-stake",
    ]);
    expect(store.get(MARKET, 7n, 0)).to.equal(undefined);
  });

  it("ineligibility: the checks of JobMarket's accept, in its order", () => {
    const job = terms();
    expect(ineligibility(eligible(), job, NOW)).to.equal(undefined);
    expect(ineligibility(eligible({ registered: false, jailedUntil: NOW + 1n }), job, NOW)).to.equal("not-registered");
    expect(ineligibility(eligible({ jailedUntil: NOW + 1n }), job, NOW)).to.equal("jailed");
    expect(ineligibility(eligible({ jailedUntil: NOW }), job, NOW)).to.equal(undefined);
    expect(ineligibility(eligible({ capacityValidUntil: NOW - 1n }), job, NOW)).to.equal("capacity-expired");
    expect(ineligibility(eligible({ capacityValidUntil: NOW }), job, NOW)).to.equal(undefined);
    expect(ineligibility(eligible({ vramMiB: 16_383 }), job, NOW)).to.equal("capacity-too-low");
    expect(ineligibility(eligible({ opsPerSec: 10n ** 12n - 1n }), job, NOW)).to.equal("capacity-too-low");
    expect(ineligibility(eligible({ freeStake: 49n }), job, NOW)).to.equal("insufficient-free-stake");
  });
});
