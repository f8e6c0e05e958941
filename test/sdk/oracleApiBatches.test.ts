// sdk/oracleApi: the verdict-batch wire types (PROTOCOL §13, §20.6) and the client's co-sign call.
import { expect } from "chai";
import {
  MAX_BATCH_VERDICTS,
  OracleApiFieldError,
  parseMissingVerdicts,
  parseVerdictBatchRequest,
  parseVerdictBatchSignature,
  shardVerdictFromJson,
  shardVerdictToJson,
} from "../../sdk/oracleApi/types";
import { OracleClient, OracleRequestError } from "../../sdk/oracleApi/client";
import { privateKeyToAccount } from "viem/accounts";

const ROOT = `0x${"ab".repeat(32)}`;
const leaf = { jobId: "7", shard: 2, operator: "0x" + "11".repeat(20), resultRoot: ROOT, verdict: 1, units: "40" };
const good = { market: "0x" + "22".repeat(20), expiry: "1900000000", verdicts: [leaf] };

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(OracleApiFieldError);
    return (err as OracleApiFieldError).field;
  }
  throw new Error("did not throw");
}

describe("sdk/oracleApi: verdict batches", function () {
  it("parses a co-sign request; a leaf round-trips through the sdk form", function () {
    const parsed = parseVerdictBatchRequest(good);
    expect(parsed.market).to.equal("0x2222222222222222222222222222222222222222");
    expect(shardVerdictToJson(shardVerdictFromJson(parsed.verdicts[0]))).to.deep.equal({
      ...leaf,
      operator: "0x1111111111111111111111111111111111111111",
    });
  });

  it("names the first bad field: unknown keys, verdict 0, units above uint64, no leaves, a shard twice, too many", function () {
    expect(fieldOf(() => parseVerdictBatchRequest({ ...good, extra: 1 }))).to.equal("extra");
    expect(fieldOf(() => parseVerdictBatchRequest({ ...good, verdicts: [{ ...leaf, verdict: 0 }] }))).to.equal(
      "verdicts[0].verdict",
    );
    expect(
      fieldOf(() => parseVerdictBatchRequest({ ...good, verdicts: [{ ...leaf, units: (1n << 64n).toString() }] })),
    ).to.equal("verdicts[0].units");
    expect(fieldOf(() => parseVerdictBatchRequest({ ...good, verdicts: [{ ...leaf, expiry: "1" }] }))).to.equal(
      "verdicts[0].expiry",
    );
    expect(fieldOf(() => parseVerdictBatchRequest({ ...good, verdicts: [] }))).to.equal("verdicts");
    expect(fieldOf(() => parseVerdictBatchRequest({ ...good, verdicts: [leaf, { ...leaf }] }))).to.equal("verdicts[1]");
    const many = Array.from({ length: MAX_BATCH_VERDICTS + 1 }, (_, i) => ({ ...leaf, shard: i }));
    expect(fieldOf(() => parseVerdictBatchRequest({ ...good, verdicts: many }))).to.equal("verdicts");
    expect(fieldOf(() => parseVerdictBatchRequest({ ...good, expiry: 5 }))).to.equal("expiry");
  });

  it("parses an answer and the missing list of a 409 (malformed: empty)", function () {
    const signature = `0x${"cd".repeat(65)}`;
    expect(parseVerdictBatchSignature({ signer: "0x" + "33".repeat(20), signature, root: ROOT }).root).to.equal(ROOT);
    expect(
      fieldOf(() => parseVerdictBatchSignature({ signer: "0x" + "33".repeat(20), signature: "0x", root: ROOT })),
    ).to.equal("signature");
    expect(parseMissingVerdicts({ missing: [{ jobId: "7", shard: 2 }] })).to.deep.equal([{ jobId: "7", shard: 2 }]);
    expect(parseMissingVerdicts({ missing: "x" })).to.deep.equal([]);
  });

  it("the client signs the call, returns a 409 ORACLE_BATCH_UNKNOWN_VERDICTS as `missing` and throws every other refusal", async function () {
    const account = privateKeyToAccount(`0x${"0a".repeat(32)}`);
    const seen: Request[] = [];
    const answers = [
      new Response(
        JSON.stringify({
          error: {
            code: "ORACLE_BATCH_UNKNOWN_VERDICTS",
            message: "m",
            details: { missing: [{ jobId: "7", shard: 2 }] },
          },
        }),
        { status: 409 },
      ),
      new Response(JSON.stringify({ error: { code: "ORACLE_BATCH_VERDICT_MISMATCH", message: "m", details: {} } }), {
        status: 409,
      }),
    ];
    const client = new OracleClient({
      baseUrl: "http://oracle.test",
      account,
      fetch: (async (url: string, init: RequestInit) => {
        seen.push(new Request(url, init));
        return answers.shift()!;
      }) as typeof fetch,
    });
    expect(await client.cosignVerdictBatch(parseVerdictBatchRequest(good))).to.deep.equal({
      status: "missing",
      missing: [{ jobId: "7", shard: 2 }],
    });
    expect(seen[0].headers.get("x-rigel-address")).to.equal(account.address);
    expect(new URL(seen[0].url).pathname).to.equal("/v1/verdict-batches");
    const err = await client.cosignVerdictBatch(parseVerdictBatchRequest(good)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OracleRequestError);
    expect(err).to.include({ status: 409, code: "ORACLE_BATCH_VERDICT_MISMATCH" });
  });
});
