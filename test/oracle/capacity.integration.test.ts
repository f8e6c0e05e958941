// Capacity challenges: one coordinator times the challenge, two peers witness and co-sign the
// identical CapacityAttestation; the quorum is recorded on-chain.
import { expect } from "chai";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { stringToHex, type Hex } from "viem";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { OracleClient, OracleRequestError } from "../../sdk/oracleApi/client";
import { capacityAttestationFromJson } from "../../sdk/oracleApi/types";
import { capacityBeacon } from "../../sdk/pow/beacon";
import { proveMatmul } from "../../sdk/pow/prove";
import { revealRows } from "../../sdk/pow/reveal";
import { encodeRevealedRow } from "../../sdk/pow/revealedRowWire";
import { sampleIndices } from "../../sdk/pow/sample";
import type { OracleNode } from "../../oracle/oracleNode";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import { accountOf, startOracle, tempDir } from "../../fixtures/oracleHarness";

const POLICY = { size: 64, targetSeconds: 1 };
const CLAIM = 2n * 128n * 64n * 64n; // ops/s that size a 128-row challenge at 1 s

describe("oracle capacity challenges: coordinator and co-signing peers", function () {
  let p: Protocol;
  let nodes: OracleNode[];
  // One clock for the three nodes, moved by the test: the coordinator and its peers time the
  // challenge exactly, however slowly this machine forwards the root between them.
  let clockMs = 0;
  const capacityClock = () => clockMs;

  beforeEach(async function () {
    p = await loadFixture(deployProtocol);
    clockMs = Date.now();
    nodes = [];
    nodes[1] = await startOracle(p, p.oracles[1], tempDir("cap-1"), { capacityPolicy: POLICY, capacityClock });
    nodes[2] = await startOracle(p, p.oracles[2], tempDir("cap-2"), { capacityPolicy: POLICY, capacityClock });
    nodes[0] = await startOracle(p, p.oracles[0], tempDir("cap-0"), {
      capacityPolicy: POLICY,
      capacityClock,
      peers: [nodes[1].url, nodes[2].url],
    });
  });

  afterEach(async function () {
    for (const node of nodes) await node.shutdown();
  });

  async function runChallenge(corrupt = false) {
    const op = p.ops[0];
    const client = new OracleClient({ baseUrl: nodes[0].url, account: accountOf(op) });
    const gpuModel = stringToHex("RTX 4090", { size: 32 });
    const challenge = await client.requestChallenge({
      operator: op.address as Hex,
      claimedOpsPerSec: CLAIM.toString(),
      vramMiB: 24_576,
      gpuModel,
    });
    expect(challenge.m).to.equal(128);
    expect((await client.listChallenges(op.address as Hex)).challenges.map((c) => c.challengeId)).to.deep.equal([
      challenge.challengeId,
    ]);
    const proof = await proveMatmul(
      { seed: challenge.seed, m: challenge.m, n: challenge.n, k: challenge.k },
      { threads: 1 },
    );
    // The work "takes" 1 s on the nodes' clock: the coordinator times 1 s, each peer 1 s less its
    // relay allowance, so they co-sign the claimed speed.
    clockMs += 1000;
    const nonce = await client.commitRoot(challenge.challengeId, proof.commitment.root);
    expect((await client.getNonce(challenge.challengeId)).nonce).to.equal(nonce.nonce);
    const beacon = capacityBeacon({
      challengeId: challenge.challengeId,
      root: proof.commitment.root,
      nonce: nonce.nonce,
    });
    const c = corrupt ? proof.c.map(() => 0) : proof.c;
    const rows = revealRows(c, challenge.n, proof.commitment, sampleIndices(beacon, challenge.m, challenge.s)).map(
      encodeRevealedRow,
    );
    // The oracles stamp the attestation with the latest block's time: on the group's shared
    // in-process chain that block can be minutes old after a long idle test, and the attestation
    // was then already past capacityMaxAge when recorded (StakingCapacityStale in CI). A fresh block.
    await mine();
    return { client, challenge, answer: client.reveal(challenge.challengeId, { rows }) };
  }

  it("a valid reveal gets the identical attestation signed by all three, and recordCapacity accepts the quorum", async function () {
    const { challenge, answer } = await runChallenge();
    const signed = await answer;
    expect(signed.signatures).to.have.length(3);
    const att = capacityAttestationFromJson(signed.attestation);
    expect(att.challengeId).to.equal(challenge.challengeId);
    expect(att.vramMiB).to.equal(24_576);
    expect(att.opsPerSec).to.equal(CLAIM);
    await p.staking.recordCapacity(att, sortSignaturesBySigner(signed.signatures.slice(0, 2)));
    const record = await p.staking.capacityOf(p.ops[0].address);
    expect(record.opsPerSec).to.equal(att.opsPerSec);
    expect(record.validUntil).to.equal(att.validUntil);
  });

  it("a wrong reveal is refused with 422 and the challenge fails", async function () {
    const { client, answer } = await runChallenge(true);
    const err = await answer.catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OracleRequestError);
    expect((err as OracleRequestError).status).to.equal(422);
    const listed = await client.listChallenges(p.ops[0].address as Hex);
    expect(listed.challenges[0].state).to.equal("failed");
  });

  it("a capacity round issues a challenge to every registered operator at once, sized to its record", async function () {
    await nodes[0].shutdown();
    nodes[0] = await startOracle(p, p.oracles[0], tempDir("cap-rounds"), {
      capacityPolicy: POLICY,
      capacityClock,
      peers: [nodes[1].url, nodes[2].url],
      capacityRounds: { staking: (await p.staking.getAddress()) as Hex, meanIntervalSec: 3600 },
    });
    expect(await nodes[0].rounds!.tick()).to.equal(0);
    expect(await nodes[0].rounds!.tick(true)).to.equal(p.ops.length);
    const rounds = new Set<string>();
    for (const op of p.ops) {
      const { challenges } = await new OracleClient({ baseUrl: nodes[0].url }).listChallenges(op.address as Hex);
      expect(challenges).to.have.length(1);
      expect(challenges[0].state).to.equal("issued");
      expect(challenges[0].vramMiB).to.equal(24_576);
      rounds.add(challenges[0].round);
    }
    expect(rounds.size).to.equal(1);
  });
});
