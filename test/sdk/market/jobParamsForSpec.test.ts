import { expect } from "chai";
import type { Address } from "viem";
import { JobKind, VerificationMode } from "../../../sdk/market/enums";
import { JobParamsError, jobParamsForSpec } from "../../../sdk/market/jobParamsForSpec";
import { fetchJobSpec } from "../../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { matmulUnits } from "../../../sdk/spec/shardWork";

const TOKEN = "0x00000000000000000000000000000000000000aa" as Address;
const OPS = ["0x00000000000000000000000000000000000000a1", "0x00000000000000000000000000000000000000a2"] as Address[];
const MATMUL = parseJobSpec({ kind: "matmul-int8", seed: `0x${"11".repeat(32)}`, m: 1000, n: 2000, k: 3000 });
const BASE = { paymentToken: TOKEN, maxPricePerUnit: 7n, deadline: 5_000n };

describe("jobParamsForSpec (sdk/market)", () => {
  it("a matmul spec: kind, sampled, the spec hash, its data: URI, and the largest even shard's units", async () => {
    const { params, spec, escrow } = jobParamsForSpec({ ...BASE, spec: MATMUL, shards: 3 });
    // 1000 rows in 3 shards: the largest has 334 rows.
    const units = matmulUnits(334, 2000, 3000);
    expect(params).to.deep.equal({
      paymentToken: TOKEN,
      kind: JobKind.MatmulInt8,
      verificationMode: VerificationMode.Sampled,
      shards: 3,
      maxUnitsPerShard: units,
      maxPricePerUnit: 7n,
      minVramMiB: 0,
      minOpsPerSec: 0n,
      deadline: 5_000n,
      specHash: hashJobSpec(MATMUL).hash,
      specURI: params.specURI,
      shardOperators: [],
    });
    expect(spec).to.equal(MATMUL);
    expect(escrow).to.equal(3n * units * 7n);
    // The URI carries the spec that the hash covers.
    expect((await fetchJobSpec(params.specURI, params.specHash)).spec).to.deep.equal(MATMUL);
  });

  it("a container spec: kind Container, receipt mode from the spec, units as given", () => {
    const spec = parseJobSpec({ kind: "container", image: "rigel/busybox:test", verification: "receipt" });
    const { params } = jobParamsForSpec({ ...BASE, spec, maxUnitsPerShard: 60n, specURI: "ipfs://spec" });
    expect(params.kind).to.equal(JobKind.Container);
    expect(params.verificationMode).to.equal(VerificationMode.Receipt);
    expect(params.maxUnitsPerShard).to.equal(60n);
    expect(params.specURI).to.equal("ipfs://spec");
    const sampled = parseJobSpec({ kind: "container", image: "rigel/busybox:test", items: [1, 2] });
    expect(jobParamsForSpec({ ...BASE, spec: sampled, maxUnitsPerShard: 1n }).params.verificationMode).to.equal(
      VerificationMode.Sampled,
    );
  });

  it("a plan: its split in the spec (a new hash), one shard per planned operator, the largest shard's units", () => {
    const plan = {
      split: [700, 300],
      maxUnitsPerShard: 9n,
      shards: [{ operator: OPS[1] }, { operator: OPS[0] }] as never,
    };
    const { params, spec, escrow } = jobParamsForSpec({ ...BASE, spec: MATMUL, plan });
    expect(spec).to.deep.equal({ ...MATMUL, split: [700, 300] });
    expect(params.specHash).to.equal(hashJobSpec(spec).hash).and.not.equal(hashJobSpec(MATMUL).hash);
    expect(params.shards).to.equal(2);
    expect(params.shardOperators).to.deep.equal([OPS[1], OPS[0]]);
    expect(params.maxUnitsPerShard).to.equal(9n);
    expect(escrow).to.equal(2n * 9n * 7n);
  });

  it("refuses what makes no job, with JobParamsError", () => {
    const container = parseJobSpec({ kind: "container", image: "rigel/busybox:test" });
    const cases: [Parameters<typeof jobParamsForSpec>[0], RegExp][] = [
      [{ ...BASE, spec: container }, /maxUnitsPerShard is required/],
      [{ ...BASE, spec: MATMUL, shards: 2, shardOperators: [OPS[0]] }, /1 operator\(s\) for 2 shard\(s\)/],
      [{ ...BASE, spec: MATMUL, shards: 0 }, /shards must be ≥ 1/],
      [
        { ...BASE, spec: MATMUL, shards: 2, plan: { split: [1000], maxUnitsPerShard: 1n, shards: [] } },
        /give the plan or them/,
      ],
    ];
    for (const [parameters, message] of cases) {
      expect(() => jobParamsForSpec(parameters))
        .to.throw(JobParamsError, message)
        .with.property("code", "MARKET_JOB_PARAMS_INVALID");
    }
  });
});
