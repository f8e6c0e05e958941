// Equivocation: the node refuses to sign a second verdict; a forged second signature is caught on-chain.
import { expect } from "chai";
import path from "node:path";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Hex } from "viem";
import { signShardAttestation } from "../../sdk/eip712/shardAttestation";
import { rigelDomain, Verdict, type ShardAttestation } from "../../sdk/eip712/types";
import { shardAttestationFromJson } from "../../sdk/oracleApi/types";
import { ShardSigner } from "../../oracle/attest/shardSigner";
import { DecisionStore, EquivocationRefusedError } from "../../oracle/store/decisionStore";
import { openOracleDatabase } from "../../oracle/store/oracleDatabase";
import { deployProtocol } from "../../fixtures/protocolFixture";
import { accountOf, tempDir } from "../../fixtures/oracleHarness";

describe("oracle equivocation", function () {
  it("a node forced to sign a second, different verdict refuses, also after a restart", async function () {
    const p = await loadFixture(deployProtocol);
    const domain = rigelDomain(31337, (await p.committee.getAddress()) as Hex);
    const file = path.join(tempDir("oracle-equivocation"), "oracle.sqlite");
    const account = accountOf(p.oracles[0]);
    const valid: ShardAttestation = {
      market: (await p.market.getAddress()) as Hex,
      jobId: 7n,
      shard: 0,
      operator: p.ops[0].address as Hex,
      resultRoot: `0x${"12".repeat(32)}`,
      verdict: Verdict.Valid,
      units: 3n,
      expiry: 10_000n,
    };
    const invalid = { ...valid, verdict: Verdict.Invalid, units: 0n };
    let db = openOracleDatabase(file);
    const first = await new ShardSigner(account, domain, new DecisionStore(db)).sign(valid, true, "verified");
    expect(await new ShardSigner(account, domain, new DecisionStore(db)).sign(valid, true, "verified")).to.deep.equal(
      first,
    );
    const err = await new ShardSigner(account, domain, new DecisionStore(db))
      .sign(invalid, true, "x")
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EquivocationRefusedError);
    db.close();
    db = openOracleDatabase(file);
    const again = await new ShardSigner(account, domain, new DecisionStore(db))
      .sign(invalid, true, "x")
      .catch((e: unknown) => e);
    expect(again).to.be.instanceOf(EquivocationRefusedError);
    db.close();
  });

  it("a forged second signature is caught on-chain by reportShardEquivocation: bond slashed, signer removed", async function () {
    const p = await loadFixture(deployProtocol);
    const domain = rigelDomain(31337, (await p.committee.getAddress()) as Hex);
    const oracle = p.oracles[1];
    const account = accountOf(oracle);
    const db = openOracleDatabase(":memory:");
    const a: ShardAttestation = {
      market: (await p.market.getAddress()) as Hex,
      jobId: 9n,
      shard: 2,
      operator: p.ops[1].address as Hex,
      resultRoot: `0x${"34".repeat(32)}`,
      verdict: Verdict.Valid,
      units: 5n,
      expiry: BigInt(await time.latest()) + 3_600n,
    };
    const signed = await new ShardSigner(account, domain, new DecisionStore(db)).sign(a, true, "verified");
    // The key used outside the node (the store would refuse): a second verdict for the same shard.
    const b = { ...a, verdict: Verdict.Invalid, units: 0n };
    const sigB = await signShardAttestation(account, domain, b);
    const reporter = p.delegators[0];
    const bond = (await p.committee.signerInfo(oracle.address)).bond;
    const reward = (bond * BigInt(await p.committee.reporterRewardBps())) / 10_000n;
    const rglBefore = await p.rgl.balanceOf(reporter.address);
    const committeeBefore = await p.rgl.balanceOf(await p.committee.getAddress());
    await p.committee
      .connect(reporter)
      .reportShardEquivocation(shardAttestationFromJson(signed.attestation), signed.signature, b, sigB);
    expect((await p.rgl.balanceOf(reporter.address)) - rglBefore).to.equal(reward);
    expect(committeeBefore - (await p.rgl.balanceOf(await p.committee.getAddress()))).to.equal(bond);
    expect(await p.committee.isActiveSigner(oracle.address)).to.equal(false);
    expect((await p.committee.signerInfo(oracle.address)).bond).to.equal(0n);
    db.close();
  });
});
