import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { matmulShardRows, matmulUnits } from "../../../sdk/spec/shardWork";
import type { MatmulInt8Spec } from "../../../sdk/spec/jobSpecTypes";
import { attestation, createJob, deployMarket, E18, ROOT, sign, State, USD_RATE } from "./fixture";

const PRICE = 1_000n;
const FEE_BPS = 250n;

describe("JobMarket with an uneven split (spec.split)", () => {
  it("test_unevenSplit_eachShardPaidItsOwnUnits_restRefunded", async () => {
    const f = await loadFixture(deployMarket);
    const spec = parseJobSpec({
      kind: "matmul-int8",
      seed: `0x${"22".repeat(32)}`,
      m: 3000,
      n: 20_000,
      k: 20_000,
      split: [1500, 1000, 500],
    }) as MatmulInt8Spec;
    const units = [0, 1, 2].map((s) => {
      const r = matmulShardRows(spec, 3, s);
      return matmulUnits(r.end - r.start, spec.n, spec.k);
    });
    expect(units).to.deep.equal([600n, 400n, 200n]);
    const maxUnits = units[0];
    const shardValue = maxUnits * PRICE;
    const usd = await f.usd.getAddress();
    const market = await f.market.getAddress();
    const devB0 = await f.usd.balanceOf(f.dev.address);
    const jobId = await createJob(f, {
      shards: 3,
      maxUnitsPerShard: maxUnits,
      maxPricePerUnit: PRICE,
      specHash: hashJobSpec(spec).hash,
      shardOperators: f.ops.map((o) => o.address),
    });
    expect(devB0 - (await f.usd.balanceOf(f.dev.address))).to.equal(3n * shardValue);
    // specHash is emitted, not stored (PROTOCOL §20.3).
    const [created] = await f.market.queryFilter(f.market.filters.JobCreated(jobId));
    expect(created.args.specHash).to.equal(hashJobSpec(spec).hash);

    for (let s = 0; s < 3; s++) {
      const op = f.ops[s];
      await f.market.connect(op).accept(jobId, s);
      await f.market.connect(op).submit(jobId, s, ROOT, units[s], "ipfs://r");
    }
    for (let s = 0; s < 3; s++) {
      const op = f.ops[s];
      const a = await attestation(f, jobId, s);
      const pay = units[s] * PRICE;
      const fee = (pay * FEE_BPS) / 10_000n;
      const [opB, devB, trB, mB, escB] = await Promise.all([
        f.market.owedOf(usd, op.address),
        f.market.owedOf(usd, f.dev.address),
        f.market.owedOf(usd, f.treasury.address),
        f.market.owedTotal(usd),
        f.market.escrowOf(usd),
      ]);
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardSettled")
        .withArgs(jobId, s, op.address, units[s], pay - fee, fee, shardValue - pay, (fee * USD_RATE) / E18);
      // Credited, not sent (PROTOCOL §20.1): the whole shard value moves from escrow to credits.
      expect((await f.market.owedOf(usd, op.address)) - opB).to.equal(pay - fee);
      expect((await f.market.owedOf(usd, f.dev.address)) - devB).to.equal(shardValue - pay);
      expect((await f.market.owedOf(usd, f.treasury.address)) - trB).to.equal(fee);
      expect((await f.market.owedTotal(usd)) - mB).to.equal(shardValue);
      expect(escB - (await f.market.escrowOf(usd))).to.equal(shardValue);
      expect((await f.market.getShard(jobId, s)).state).to.equal(State.Settled);
      expect(await f.staking.locked(op.address)).to.equal(0n);
    }
    // The developer paid exactly the work done: Σ units × price (after withdrawing its refunds).
    await f.market.connect(f.dev).withdraw(usd, f.dev.address);
    const total = (units[0] + units[1] + units[2]) * PRICE;
    expect(devB0 - (await f.usd.balanceOf(f.dev.address))).to.equal(total);
    expect(await f.usd.balanceOf(market)).to.equal(await f.market.owedTotal(usd));
    expect(await f.market.escrowOf(usd)).to.equal(0n);
  });
});
