// Key safety (PROTOCOL §18.5): the signed-digest log that travels with the key, the chain check of
// the key's own signatures, and `rigel oracle signlog export|import`.
import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toHex, type Hex } from "viem";
import type { CliOutput } from "../../sdk/cli/commands";
import { hashShardAttestation } from "../../sdk/eip712/shardAttestation";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { rigelDomain, Verdict, type ShardAttestation } from "../../sdk/eip712/types";
import { HttpError } from "../../sdk/errors/HttpError";
import { OracleClient, OracleRequestError } from "../../sdk/oracleApi/client";
import { shardAttestationFromJson, type SignedShardAttestation } from "../../sdk/oracleApi/types";
import { main } from "../../oracle/cli";
import { toOracleHttpError } from "../../oracle/http/toOracleHttpError";
import { ShardSigner, shardSubject } from "../../oracle/attest/shardSigner";
import { SignedDigestLog, signedDigestLogPath } from "../../oracle/attest/signedDigestLog";
import { SigningGuard } from "../../oracle/attest/signingGuard";
import type { OracleNode } from "../../oracle/oracleNode";
import { DecisionStore, EquivocationRefusedError } from "../../oracle/store/decisionStore";
import { openOracleDatabase } from "../../oracle/store/oracleDatabase";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import {
  accountOf,
  computeAndSubmit,
  createMatmulJob,
  matmulSpec,
  proveToAll,
  startOracle,
  tempDir,
} from "../../fixtures/oracleHarness";

function capture(): CliOutput & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, result: (t) => out.push(t), info: (t) => err.push(t), error: (t) => err.push(t) };
}

const digest = (s: string) => keccak256(toHex(s));

async function attestationFor(p: Protocol, jobId = 7n): Promise<ShardAttestation> {
  return {
    market: (await p.market.getAddress()) as Hex,
    jobId,
    shard: 0,
    operator: p.ops[0].address as Hex,
    resultRoot: `0x${"12".repeat(32)}`,
    verdict: Verdict.Valid,
    units: 3n,
    expiry: 10_000n,
  };
}

describe("oracle key safety: the signed-digest log (PROTOCOL §18.5)", function () {
  it("regression (protection lived in one SQLite file): two ShardSigners with separate databases sharing one log file cannot sign different verdicts for one subject", async function () {
    const p = await loadFixture(deployProtocol);
    const domain = rigelDomain(31337, (await p.committee.getAddress()) as Hex);
    const account = accountOf(p.oracles[0]);
    const valid = await attestationFor(p);
    const invalid = { ...valid, verdict: Verdict.Invalid, units: 0n };
    const dir = tempDir("keys-shared-log");
    const file = path.join(dir, "keystore.json.signed.jsonl");
    // The old rule: each node's database alone; a standby with its own database signs the other verdict.
    const unguardedA = new ShardSigner(account, domain, new DecisionStore(openOracleDatabase(":memory:")));
    const unguardedB = new ShardSigner(account, domain, new DecisionStore(openOracleDatabase(":memory:")));
    await unguardedA.sign(valid, true, "verified");
    expect((await unguardedB.sign(invalid, true, "x")).attestation.verdict).to.equal(Verdict.Invalid);
    // The new rule: both consult the log that travels with the key, each through its own file handle.
    const dbA = openOracleDatabase(path.join(dir, "a.sqlite"));
    const dbB = openOracleDatabase(path.join(dir, "b.sqlite"));
    const logA = new SignedDigestLog(file);
    const logB = new SignedDigestLog(file);
    expect(logB.digestOf("anything")).to.equal(undefined); // B has read the (empty) file before A writes
    const a = new ShardSigner(account, domain, new DecisionStore(dbA), new SigningGuard(logA, dbA));
    const b = new ShardSigner(account, domain, new DecisionStore(dbB), new SigningGuard(logB, dbB));
    const signed = await a.sign(valid, true, "verified");
    const refused = await b.sign(invalid, true, "x").catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(EquivocationRefusedError);
    expect((refused as EquivocationRefusedError).code).to.equal("EQUIVOCATION_REFUSED");
    expect(toOracleHttpError(refused)).to.include({ status: 409, code: "EQUIVOCATION_REFUSED" });
    expect(new DecisionStore(dbB).get(shardSubject(valid.market, valid.jobId, 0))).to.equal(undefined);
    // The same verdict is no equivocation: B may sign it too (the same signature).
    expect((await b.sign(valid, true, "verified")).signature).to.equal(signed.signature);
    // And the other way round, A (which logged first) never signs B's verdict either.
    expect(await a.sign(invalid, true, "x").catch((e: unknown) => e)).to.be.instanceOf(EquivocationRefusedError);
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0])).to.include({
      subject: shardSubject(valid.market, valid.jobId, 0),
      digest: hashShardAttestation(domain, valid),
    });
    logA.close();
    logB.close();
  });

  it("the first line of a subject holds: a later line with another digest (a lost race) and a torn tail are skipped, and an append after a torn tail starts on a line of its own", function () {
    const file = path.join(tempDir("keys-lines"), "signed.jsonl");
    const line = (subject: string, d: Hex) => JSON.stringify({ subject, digest: d, at: 1 }) + "\n";
    fs.writeFileSync(file, line("s:1", digest("a")) + line("s:1", digest("b")) + '{"subject":"s:2","dig');
    const log = new SignedDigestLog(file);
    expect(log.digestOf("s:1")).to.equal(digest("a"));
    expect(log.skipped).to.equal(1);
    expect(() => log.record("s:1", digest("b"))).to.throw(EquivocationRefusedError);
    log.record("s:3", digest("c"));
    const reread = new SignedDigestLog(file);
    expect(reread.digestOf("s:3")).to.equal(digest("c"));
    expect(reread.digestOf("s:2")).to.equal(undefined);
    expect(reread.entries().map((e) => e.subject)).to.deep.equal(["s:1", "s:3"]);
    log.close();
    reread.close();
  });

  it("a lost race: when another process appends another digest between this one's check and its append, this one refuses after reading the file again", function () {
    const file = path.join(tempDir("keys-lost-race"), "signed.jsonl");
    const winner = new SignedDigestLog(file);
    const loser = new SignedDigestLog(file);
    const raw = loser as unknown as { append: (entries: unknown[]) => void };
    const append = raw.append.bind(loser);
    raw.append = (entries) => {
      winner.record("s:1", digest("first")); // lands after the loser's check, before its append
      append(entries);
    };
    expect(() => loser.record("s:1", digest("second"))).to.throw(EquivocationRefusedError);
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { digest: string }).digest)).to.deep.equal([
      digest("first"),
      digest("second"),
    ]);
    const reader = new SignedDigestLog(file);
    expect(reader.digestOf("s:1")).to.equal(digest("first"));
    expect(reader.skipped).to.equal(1);
    expect(() => winner.record("s:1", digest("first"))).to.not.throw();
    for (const l of [winner, loser, reader]) l.close();
  });

  it("four processes signing on one log file at once: for every subject exactly one digest is accepted, and it is the file's first line", async function () {
    this.timeout(120_000);
    const file = path.join(tempDir("keys-race"), "signed.jsonl");
    const subjects = 300;
    const script = `
      const { SignedDigestLog } = require(${JSON.stringify(path.resolve(__dirname, "../../oracle/attest/signedDigestLog"))});
      const { keccak256, toHex } = require("viem");
      const fs = require("node:fs");
      const log = new SignedDigestLog(process.argv[1]);
      // A barrier: all four start their loops together, so their checks and appends interleave.
      fs.writeFileSync(process.argv[1] + ".ready-" + process.argv[2], "");
      const dir = require("node:path").dirname(process.argv[1]);
      while (fs.readdirSync(dir).filter((f) => f.includes(".ready-")).length < 4)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      const won = [];
      for (let i = 0; i < ${subjects}; i++) {
        const subject = "race:" + i;
        const digest = keccak256(toHex(subject + "/" + process.argv[2]));
        try { log.record(subject, digest); won.push([subject, digest]); } catch (e) { if (e.code !== "EQUIVOCATION_REFUSED") throw e; }
      }
      process.stdout.write(JSON.stringify(won));`;
    const runs = await Promise.all(
      [0, 1, 2, 3].map(
        (n) =>
          new Promise<[string, Hex][]>((resolve, reject) =>
            execFile(
              process.execPath,
              ["-r", "ts-node/register/transpile-only", "-e", script, file, String(n)],
              { cwd: path.resolve(__dirname, "../.."), env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" } },
              (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as [string, Hex][])),
            ),
          ),
      ),
    );
    const winners = new Map<string, Hex[]>();
    for (const run of runs) for (const [subject, d] of run) winners.set(subject, [...(winners.get(subject) ?? []), d]);
    const log = new SignedDigestLog(file);
    expect(winners.size).to.equal(subjects);
    if (process.env.RIGEL_TEST_LOG) console.log(`      lost races (later lines with another digest): ${log.skipped}`);
    for (const [subject, digests] of winners) {
      expect(digests, subject).to.have.length(1);
      expect(log.digestOf(subject)).to.equal(digests[0]);
    }
    log.close();
  });

  it("a log started beside an existing database adopts its decisions (a capacity one here), and the guard then refuses another digest for them", async function () {
    const dir = tempDir("keys-adopt");
    const db = openOracleDatabase(path.join(dir, "oracle.sqlite"));
    new DecisionStore(db).decide("capacity:0xaa", "capacity", digest("cap"), "{}");
    const log = new SignedDigestLog(path.join(dir, "signed.jsonl"));
    const guard = new SigningGuard(log, db);
    expect(log.digestOf("capacity:0xaa")).to.equal(digest("cap"));
    expect(() => guard.beforeSign("capacity:0xaa", digest("other"))).to.throw(EquivocationRefusedError);
    guard.beforeSign("capacity:0xaa", digest("cap"));
    log.close();
    db.close();
  });

  it("the log's place: signLog, else beside the keystore, else <dataDir>/signed.jsonl with a raw signerKey", function () {
    expect(signedDigestLogPath({ signLog: "/x/log", keystore: "/k/ks.json", dataDir: "/d" })).to.equal("/x/log");
    expect(signedDigestLogPath({ keystore: "/k/ks.json", dataDir: "/d" })).to.equal("/k/ks.json.signed.jsonl");
    expect(signedDigestLogPath({ signerKey: "0x11", keystore: "/k/ks.json", dataDir: "/d" })).to.equal(
      "/d/signed.jsonl",
    );
  });

  it("export and import round-trip between two logs; a conflicting digest for a subject is an error naming it, and nothing is merged", async function () {
    const dir = tempDir("keys-cli");
    const fromLog = path.join(dir, "from.jsonl");
    const toLog = path.join(dir, "to.jsonl");
    const fromConfig = path.join(dir, "from.json");
    const toConfig = path.join(dir, "to.json");
    fs.writeFileSync(fromConfig, JSON.stringify({ signLog: fromLog, dataDir: dir }));
    fs.writeFileSync(toConfig, JSON.stringify({ signLog: toLog, dataDir: dir }));
    const from = new SignedDigestLog(fromLog);
    from.record("shard:m:1:0", digest("one"));
    from.record("shard:m:1:1", digest("two"));
    const to = new SignedDigestLog(toLog);
    to.record("shard:m:1:1", digest("two"));
    to.record("shard:m:2:0", digest("three"));

    const help = capture();
    expect(await main(["signlog", "--help"], help)).to.equal(0);
    expect(help.out.join("\n")).to.contain("export").and.contain("import");
    const exportHelp = capture();
    expect(await main(["signlog", "export", "--help"], exportHelp)).to.equal(0);
    expect(exportHelp.out.join("\n")).to.contain("--out FILE");
    const top = capture();
    expect(await main(["--help"], top)).to.equal(0);
    expect(top.out.join("\n")).to.contain("signlog");

    const exported = path.join(dir, "export.jsonl");
    const ex = capture();
    expect(await main(["signlog", "export", "--config", fromConfig, "--out", exported], ex)).to.equal(0);
    expect(JSON.parse(ex.out[0])).to.include({ subjects: 2 });
    const im = capture();
    expect(await main(["signlog", "import", "--config", toConfig, "--file", exported], im)).to.equal(0);
    expect(JSON.parse(im.out[0])).to.include({ imported: 2, added: 1 });
    expect(to.digestOf("shard:m:1:0")).to.equal(digest("one"));
    expect(
      to
        .entries()
        .map((e) => e.subject)
        .sort(),
    ).to.deep.equal(["shard:m:1:0", "shard:m:1:1", "shard:m:2:0"]);

    // A conflict: the other log signed shard:m:2:0 differently.
    from.record("shard:m:2:0", digest("four"));
    from.record("shard:m:3:0", digest("five"));
    const conflicting = path.join(dir, "conflict.jsonl");
    expect(await main(["signlog", "export", "--config", fromConfig, "--out", conflicting], capture())).to.equal(0);
    const bad = capture();
    expect(await main(["signlog", "import", "--config", toConfig, "--file", conflicting], bad)).to.equal(1);
    expect(bad.err.join("\n")).to.contain("shard:m:2:0");
    expect(to.digestOf("shard:m:3:0")).to.equal(undefined);
    expect(to.digestOf("shard:m:2:0")).to.equal(digest("three"));
    from.close();
    to.close();
  });

  describe("the chain check", function () {
    let nodes: OracleNode[] = [];
    afterEach(async function () {
      for (const n of nodes) await n.shutdown();
      nodes = [];
    });

    it("regression (a restored backup signed on): a node restored from an old database and log halts after seeing its own signature on-chain, until restarted with a log that holds it", async function () {
      const p = await loadFixture(deployProtocol);
      const dirs = [tempDir("keys-node-0"), tempDir("keys-node-1")];
      // The backup: node 0's data folder before it decided anything.
      const first = await startOracle(p, p.oracles[0], dirs[0]);
      await first.shutdown();
      const backup = tempDir("keys-backup");
      fs.cpSync(dirs[0], backup, { recursive: true });

      nodes = [await startOracle(p, p.oracles[0], dirs[0]), await startOracle(p, p.oracles[1], dirs[1])];
      const spec = matmulSpec("5a");
      const jobId = await createMatmulJob(p, spec, 1);
      const op = p.ops[0];
      const sub = await computeAndSubmit(p, op, spec, jobId, 0, 1);
      const answers: SignedShardAttestation[] = await proveToAll(
        nodes.map((n) => n.url),
        accountOf(op),
        sub.request,
      );
      expect(answers).to.have.length(2);
      const attestation = shardAttestationFromJson(answers[0].attestation);
      await p.market
        .connect(p.devs[1])
        .settle(
          attestation,
          sortSignaturesBySigner(answers.map((a) => ({ signer: a.signer, signature: a.signature }))),
        );
      // The live node's log holds what it signed: seeing it on-chain changes nothing.
      await nodes[0].tick();
      expect(nodes[0].guard!.halted()).to.equal(undefined);
      for (const n of nodes) await n.shutdown();
      nodes = [];

      // The restored node: old database, old log.
      const domain = rigelDomain(31337, (await p.committee.getAddress()) as Hex);
      const subject = shardSubject(attestation.market, jobId, 0);
      const other = { ...attestation, verdict: Verdict.Invalid, units: 0n };
      let restored = await startOracle(p, p.oracles[0], backup);
      nodes = [restored];
      await restored.tick();
      expect(restored.guard!.halted()).to.include({ subject, digest: hashShardAttestation(domain, attestation) });
      const health = await fetch(`${restored.url}/healthz`);
      expect(health.status).to.equal(503);
      const body = (await health.json()) as { ok: boolean; signingHalted: { subject: string } };
      expect(body.ok).to.equal(false);
      expect(body.signingHalted.subject).to.equal(subject);
      // Every signature is refused, this shard's or any other.
      const signer = new ShardSigner(accountOf(p.oracles[0]), domain, new DecisionStore(restored.db!), restored.guard);
      for (const a of [other, { ...attestation, jobId: jobId + 100n }]) {
        const err = await signer.sign(a, false, "x").catch((e: unknown) => e);
        expect(err).to.be.instanceOf(HttpError);
        expect(err).to.include({ status: 503, code: "ORACLE_SIGNING_HALTED" });
        expect((err as HttpError).details.subject).to.equal(shardSubject(a.market, a.jobId, 0));
        expect((err as HttpError).message).to.contain(shardSubject(a.market, a.jobId, 0));
      }
      // Over HTTP too: a new shard's proof is answered 503 ORACLE_SIGNING_HALTED, nothing signed.
      const nextJob = await createMatmulJob(p, matmulSpec("5b"), 1);
      const next = await computeAndSubmit(p, op, matmulSpec("5b"), nextJob, 0, 1);
      await restored.tick();
      const refused = await new OracleClient({ baseUrl: restored.url, account: accountOf(op) })
        .submitProof(next.request)
        .catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(OracleRequestError);
      expect(refused).to.include({ status: 503, code: "ORACLE_SIGNING_HALTED" });
      expect(restored.db!.prepare("SELECT COUNT(*) AS n FROM decisions").get()).to.deep.equal({ n: 0 });
      // A restart with the same (old) log stays halted, though the chain was read already.
      await restored.shutdown();
      restored = await startOracle(p, p.oracles[0], backup);
      nodes = [restored];
      expect(restored.guard!.halted()?.subject).to.equal(subject);
      await restored.shutdown();
      nodes = [];
      // The newer log put back (exported from the live node, imported into the restored one): it signs again.
      const exported = path.join(backup, "live.jsonl");
      const live = path.join(dirs[0], "live.json");
      const back = path.join(backup, "restored.json");
      fs.writeFileSync(live, JSON.stringify({ dataDir: dirs[0], signerKey: `0x${"11".repeat(32)}` }));
      fs.writeFileSync(back, JSON.stringify({ dataDir: backup, signerKey: `0x${"11".repeat(32)}` }));
      expect(await main(["signlog", "export", "--config", live, "--out", exported], capture())).to.equal(0);
      expect(await main(["signlog", "import", "--config", back, "--file", exported], capture())).to.equal(0);
      restored = await startOracle(p, p.oracles[0], backup);
      nodes = [restored];
      await restored.tick();
      expect(restored.guard!.halted()).to.equal(undefined);
      const again = new ShardSigner(accountOf(p.oracles[0]), domain, new DecisionStore(restored.db!), restored.guard);
      expect(await again.sign(other, false, "x").catch((e: unknown) => e)).to.be.instanceOf(EquivocationRefusedError);
      const own = answers.find((a) => a.signer === p.oracles[0].address)!;
      expect((await again.sign(attestation, true, "verified")).signature).to.equal(own.signature);
    });
  });
});
