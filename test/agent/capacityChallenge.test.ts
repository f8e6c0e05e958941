// The agent's side of a capacity challenge (PROTOCOL §14.7; the oracle nodes' side is
// test/oracle/capacity.integration.test.ts): an OracleClient double that issues a challenge, hands
// out the nonce for the root, checks the revealed rows with the sdk verifier and signs with two
// committee keys; the agent answers and records the attestation on the in-process chain.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, stringToHex, toHex, type Hex } from "viem";
import { answerCapacityChallenge, CapacityChallengeError } from "../../agent/capacity/answerCapacityChallenge";
import { signCapacityAttestation } from "../../sdk/eip712/capacityAttestation";
import { rigelDomain } from "../../sdk/eip712/types";
import type { OracleClient } from "../../sdk/oracleApi/client";
import { capacityAttestationToJson, type CapacityChallengeJson, type RevealRequest } from "../../sdk/oracleApi/types";
import { capacityBeacon, nonceCommitment } from "../../sdk/pow/beacon";
import { generatedOperands } from "../../sdk/pow/operands";
import { decodeRevealedRow } from "../../sdk/pow/revealedRowWire";
import { verifySampledRows } from "../../sdk/pow/verify";
import { deployProtocol } from "../../fixtures/protocolFixture";
import { agentChainFor, hardhatAccount } from "../../fixtures/agentHarness";

describe("agent/capacity/answerCapacityChallenge", function () {
  it("computes, commits the root, checks the nonce, reveals the sample and records the quorum on-chain", async function () {
    const p = await loadFixture(deployProtocol);
    const chain = await agentChainFor(p, 5);
    const nonce = keccak256(toHex("nonce"));
    const challenge: CapacityChallengeJson = {
      challengeId: keccak256(toHex("challenge-1")),
      operator: chain.address,
      coordinator: hardhatAccount(12).address,
      round: "1",
      seed: `0x${"7a".repeat(32)}`,
      m: 64,
      n: 48,
      k: 32,
      s: 16,
      issuedAtMs: Date.now(),
      deadlineMs: Date.now() + 60_000,
      nonceCommitment: nonceCommitment(nonce),
      vramMiB: 24_576,
      gpuModel: stringToHex("CPU", { size: 32 }),
      state: "issued",
    };
    let committed: Hex | undefined;
    const client = {
      async commitRoot(id: Hex, root: Hex) {
        committed = root;
        return { challengeId: id, root, nonce, rootAtMs: Date.now() };
      },
      async reveal(id: Hex, body: RevealRequest) {
        const beacon = capacityBeacon({ challengeId: id, root: committed!, nonce });
        verifySampledRows({
          operands: generatedOperands({ seed: challenge.seed, m: challenge.m, n: challenge.n, k: challenge.k }),
          root: committed!,
          beacon,
          s: challenge.s,
          revealed: body.rows.map(decodeRevealedRow),
        });
        const attestation = {
          operator: chain.address,
          challengeId: id,
          opsPerSec: 123_456_789_000n,
          vramMiB: 24_576,
          gpuModel: challenge.gpuModel,
          // Issued at the chain's "now", the pending block's time: the latest block
          // of this shared in-process chain can be minutes old after a long idle test before this one.
          validUntil: (await chain.publicClient.getBlock({ blockTag: "pending" })).timestamp + 7n * 86_400n,
        };
        const domain = rigelDomain(chain.chainId, chain.contracts.OracleCommittee);
        const signers = [12, 13].map(hardhatAccount);
        return {
          status: "signed" as const,
          attestation: capacityAttestationToJson(attestation),
          signatures: await Promise.all(
            signers.map(async (a) => ({
              signer: a.address,
              signature: await signCapacityAttestation(a, domain, attestation),
            })),
          ),
        };
      },
    } as unknown as OracleClient;

    const result = await answerCapacityChallenge({ client, challenge, chain, device: "cpu" });
    expect(result.root).to.equal(committed);
    expect(result.opsPerSec).to.equal(123_456_789_000n);
    const capacity = await p.staking.capacityOf(chain.address);
    expect(capacity.opsPerSec).to.equal(123_456_789_000n);
    expect(capacity.vramMiB).to.equal(24_576n);
    expect(await p.staking.isChallengeUsed(challenge.challengeId)).to.equal(true);

    // A nonce that does not open the commitment is refused before anything is revealed.
    const liar = {
      ...client,
      commitRoot: async (id: Hex, root: Hex) => ({
        challengeId: id,
        root,
        nonce: keccak256(toHex("other")),
        rootAtMs: 0,
      }),
    };
    await answerCapacityChallenge({
      client: liar as unknown as OracleClient,
      challenge: { ...challenge, challengeId: keccak256(toHex("challenge-2")) },
      chain,
      device: "cpu",
    }).then(
      () => expect.fail("accepted a nonce that breaks its commitment"),
      (err) => expect(err).to.be.instanceOf(CapacityChallengeError).with.property("code", "AGENT_CHALLENGE_NONCE"),
    );
  });
});
