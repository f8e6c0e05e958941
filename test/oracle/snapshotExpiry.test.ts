// The attestation's expiry comes from the shard's snapshotted verify window (PROTOCOL §13.1, §20.2).
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { PARAMS } from "../../fixtures/marketConstants";
import { deployProtocol } from "../../fixtures/protocolFixture";
import {
  accountOf,
  computeAndSubmit,
  createMatmulJob,
  matmulSpec,
  proveToAll,
  startOracle,
  tempDir,
} from "../../fixtures/oracleHarness";
import type { OracleNode } from "../../oracle/oracleNode";

describe("oracle: the expiry is the shard's own verify window (PROTOCOL §13.1, §20.2)", function () {
  let node: OracleNode | undefined;
  afterEach(async function () {
    await node?.shutdown();
    node = undefined;
  });

  it("regression (the window was read from params() at signing): governance doubling verifyWindow after accept leaves the signed expiry at submittedAt + the accepted window", async function () {
    const p = await loadFixture(deployProtocol);
    node = await startOracle(p, p.oracles[0], tempDir("snapshot-expiry"));
    const spec = matmulSpec("71");
    const jobId = await createMatmulJob(p, spec, 1);
    const sub = await computeAndSubmit(p, p.ops[0], spec, jobId, 0, 1);
    // After accept and submit, governance changes the window: 3600 s → 7200 s.
    await p.market.setParams({ ...PARAMS, treasury: p.treasury.address, verifyWindow: 7_200n });
    expect((await p.market.params()).verifyWindow).to.equal(7_200n);
    const shard = await p.market.getShard(jobId, 0);
    expect(shard.verifyWindow).to.equal(3_600n);
    const [answer] = await proveToAll([node.url], accountOf(p.ops[0]), sub.request);
    // The old rule signed submittedAt + 7200: an attestation (and a batch expiry) an hour past the
    // last second the market settles this shard (it skips it, VerdictSkipped reason 3, or reverts).
    expect(BigInt(answer.attestation.expiry)).to.equal(shard.submittedAt + 3_600n);
  });
});
