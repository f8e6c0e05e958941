import { getAddress, type Address } from "viem";
import { HttpError } from "../../sdk/errors/HttpError";
import { verdictsRoot } from "../../sdk/market/verdictTree";
import {
  parseVerdictBatchRequest,
  shardVerdictFromJson,
  type ShardRefJson,
  type VerdictBatchSignature,
} from "../../sdk/oracleApi/types";
import type { BatchSigner } from "../attest/batchSigner";
import type { ShardSigner } from "../attest/shardSigner";

/** Input of {@link VerdictBatchCosigner}. */
export interface VerdictBatchCosignerParameters {
  /** This node's JobMarket: the only market it co-signs for. */
  market: Address;
  /** The node's shard verdicts (its decision store). */
  shards: Pick<ShardSigner, "stored">;
  batches: BatchSigner;
  /** Whether an address is an active committee member (peer calls are refused otherwise). */
  isCommitteeMember: (signer: Address) => Promise<boolean>;
}

/**
 * The peer side of batched settlement (`POST /v1/verdict-batches`, PROTOCOL §13, §20.6). A peer
 * co-signs a `VerdictBatch` only when every leaf is, field for field, the verdict its own decision
 * store holds for that shard, and the batch's expiry is no later than the earliest of those
 * verdicts' own expiries (`submittedAt + verifyWindow`): so a batch signature says nothing the node
 * did not already sign singly, and outlives none of those attestations. In order:
 *
 * 1. the caller is an active committee member, else 403 `ORACLE_NOT_A_PEER`;
 * 2. the body parses (400 `ORACLE_BAD_FIELD`) and names this node's market (400, field `market`);
 * 3. a leaf that differs from this node's verdict: 409 `ORACLE_BATCH_VERDICT_MISMATCH` (details
 *    `mismatched: [{ jobId, shard }]`), nothing signed;
 * 4. leaves this node has not decided: 409 `ORACLE_BATCH_UNKNOWN_VERDICTS` (details `missing`);
 * 5. an expiry past the earliest leaf's: 422 `ORACLE_BATCH_EXPIRY` (details `maxExpiry`);
 * 6. the batch digest goes through the signed-digest log (subject `batch:<market>:<root>`; another
 *    digest for that root is 409 `EQUIVOCATION_REFUSED`, a halt 503), then it is signed.
 */
export class VerdictBatchCosigner {
  private readonly market: Address;

  constructor(private readonly p: VerdictBatchCosignerParameters) {
    this.market = getAddress(p.market);
  }

  async cosign(body: unknown, caller: Address): Promise<VerdictBatchSignature> {
    if (!(await this.p.isCommitteeMember(caller)))
      throw new HttpError(403, "ORACLE_NOT_A_PEER", "the caller is not an active committee member");
    const request = parseVerdictBatchRequest(body);
    if (getAddress(request.market) !== this.market)
      throw new HttpError(400, "ORACLE_BAD_FIELD", "market: this node co-signs for another market", {
        details: { field: "market", market: this.market },
      });
    const missing: ShardRefJson[] = [];
    const mismatched: ShardRefJson[] = [];
    let maxExpiry: bigint | undefined;
    for (const leaf of request.verdicts) {
      const own = this.p.shards.stored(this.market, BigInt(leaf.jobId), leaf.shard)?.attestation;
      const ref = { jobId: leaf.jobId, shard: leaf.shard };
      if (!own) {
        missing.push(ref);
        continue;
      }
      if (
        getAddress(own.operator) !== getAddress(leaf.operator) ||
        own.resultRoot.toLowerCase() !== leaf.resultRoot.toLowerCase() ||
        own.verdict !== leaf.verdict ||
        own.units !== leaf.units
      ) {
        mismatched.push(ref);
        continue;
      }
      const expiry = BigInt(own.expiry);
      if (maxExpiry === undefined || expiry < maxExpiry) maxExpiry = expiry;
    }
    if (mismatched.length > 0)
      throw new HttpError(409, "ORACLE_BATCH_VERDICT_MISMATCH", "this node decided other verdicts for some leaves", {
        details: { mismatched },
      });
    if (missing.length > 0)
      throw new HttpError(409, "ORACLE_BATCH_UNKNOWN_VERDICTS", "this node has not decided some leaves", {
        details: { missing },
      });
    const expiry = BigInt(request.expiry);
    if (maxExpiry !== undefined && expiry > maxExpiry)
      throw new HttpError(422, "ORACLE_BATCH_EXPIRY", "the batch outlives one of its verdicts", {
        details: { expiry: request.expiry, maxExpiry: maxExpiry.toString() },
      });
    const root = verdictsRoot(request.verdicts.map(shardVerdictFromJson));
    const signature = await this.p.batches.sign({
      market: this.market,
      verdictsRoot: root,
      count: request.verdicts.length,
      expiry,
    });
    return { signer: this.p.batches.address, signature, root };
  }
}
