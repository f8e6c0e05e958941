// Regression: a retried proof signed in the same second as the try before it was refused as a
// replay ("request was already accepted", HTTP 401). The signed digest covers the timestamp in whole
// seconds (PROTOCOL §4.2), so an identical retry within one second was the same signed request: the
// agent's re-post of a `pending` proof (500 ms later), or a retry after a 503. The client now stamps
// a repeat one second past its previous stamp. The clocks here are frozen: no timing involved.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toHex, type Hex } from "viem";
import { committeeGateway, OracleQuorumError } from "../../agent/oracle/committeeGateway";
import type { OracleNode } from "../../oracle/oracleNode";
import { createLogger } from "../../sdk/log/createLogger";
import { OracleClient } from "../../sdk/oracleApi/client";
import type { ProofRequest } from "../../sdk/oracleApi/types";
import { deployProtocol } from "../../fixtures/protocolFixture";
import { accountOf, createMatmulJob, matmulSpec, startOracle, tempDir } from "../../fixtures/oracleHarness";

const logger = createLogger({ name: "test", level: "silent", destination: { write: () => undefined } });

describe("oracle: a retry in the same second is not a replay (regression)", function () {
  let node: OracleNode | undefined;
  afterEach(async () => {
    await node?.shutdown();
    node = undefined;
  });

  /** An oracle, and a proof for an Open shard: the oracle answers `pending` as often as asked. */
  async function pendingProof() {
    const p = await loadFixture(deployProtocol);
    node = await startOracle(p, p.oracles[0], tempDir("oracle-retry"));
    const op = p.ops[1];
    const jobId = await createMatmulJob(p, matmulSpec("ab"), 1);
    const request: ProofRequest = {
      jobId: jobId.toString(),
      shard: 0,
      operator: op.address as Hex,
      resultRoot: keccak256(toHex("root")),
      units: "1",
      kind: "matmul-int8",
      rows: [],
    };
    // One frozen second for every signature: what a fast retry sees.
    const frozen = Date.now();
    const client = new OracleClient({ baseUrl: node.url, account: accountOf(op), now: () => frozen });
    return { request, client };
  }

  it("answers the client's identical second post, signed in the same second", async function () {
    const { request, client } = await pendingProof();
    expect((await client.submitProof(request)).status).to.equal("pending");
    expect((await client.submitProof(request)).status).to.equal("pending");
  });

  it("lets the agent's committee gateway re-post a pending proof at once", async function () {
    const { request, client } = await pendingProof();
    const gateway = committeeGateway({
      clients: [client],
      threshold: async () => 1,
      logger,
      pendingRetries: 2,
      pendingDelayMs: 0,
    });
    const err = await gateway
      .attestShard({
        jobId: BigInt(request.jobId),
        shard: request.shard,
        operator: request.operator,
        root: request.resultRoot,
        units: BigInt(request.units),
        beacon: keccak256(toHex("beacon")),
        kind: "matmul-int8",
        rows: [],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).to.be.instanceOf(OracleQuorumError);
    // Three posts reached the oracle and each was answered pending (none refused as replayed).
    expect((err as OracleQuorumError).details.answers).to.deep.equal([
      "oracle 0: oracle 0: still pending (the shard is not submitted on-chain yet (as this node reads it))",
    ]);
  });
});
