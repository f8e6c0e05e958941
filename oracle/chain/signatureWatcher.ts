import { decodeFunctionData, getAddress, type Address, type Hex, type Log, type PublicClient } from "viem";
import { ChainReadError, LogFollower, type CursorStore } from "../../sdk/chain/logFollower";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import { hashShardAttestation, recoverShardAttestationSigner } from "../../sdk/eip712/shardAttestation";
import type { RigelDomain, ShardAttestation, ShardVerdict, VerdictBatch } from "../../sdk/eip712/types";
import { hashVerdictBatch, recoverVerdictBatchSigner } from "../../sdk/eip712/verdictBatch";
import type { Logger } from "../../sdk/log/createLogger";
import {
  shardDeveloperFaultEvent,
  shardFailedEvent,
  shardSettledEvent,
  verdictsSettledEvent,
} from "../../sdk/market/events";
import { batchSubject } from "../attest/batchSigner";
import { shardSubject } from "../attest/shardSigner";
import type { SigningGuard } from "../attest/signingGuard";

/** A shard's final event, or a batch's `VerdictsSettled` (which also covers a batch whose every leaf was skipped). */
type WatchedLog = Log & {
  eventName?: string;
  args: { jobId?: bigint; shard?: number | bigint; verdictsRoot?: Hex };
};

/** What one settling call signed: a statement's subject, digest and signatures, and the shards it covers. */
interface SignedStatement {
  subject: string;
  digest: Hex;
  signatures: readonly Hex[];
  recover: (signature: Hex) => Promise<Address>;
  /** Whether a watched log belongs to this statement (its shard's event, or its batch's `VerdictsSettled`). */
  covers: (log: WatchedLog) => boolean;
}

/**
 * The statements a `settle` or `settleVerdicts` call carried (PROTOCOL §18.5, §20.6), for this
 * market; undefined for other calldata.
 */
function settledStatements(input: Hex, market: Address, domain: RigelDomain): SignedStatement[] | undefined {
  let call;
  try {
    call = decodeFunctionData({ abi: jobMarketAbi, data: input });
  } catch {
    return undefined;
  }
  if (call.functionName === "settle") {
    const [raw, signatures] = call.args;
    const a = raw as ShardAttestation;
    if (getAddress(a.market) !== market) return [];
    return [
      {
        subject: shardSubject(market, a.jobId, a.shard),
        digest: hashShardAttestation(domain, a),
        signatures,
        recover: (signature) => recoverShardAttestationSigner(domain, a, signature),
        covers: (log) => log.args.jobId === a.jobId && Number(log.args.shard) === a.shard,
      },
    ];
  }
  if (call.functionName === "settleVerdicts") {
    const [rawBatch, signatures, rawVerdicts] = call.args;
    const batch = rawBatch as VerdictBatch;
    const verdicts = rawVerdicts as readonly ShardVerdict[];
    if (getAddress(batch.market) !== market) return [];
    return [
      {
        subject: batchSubject(market, batch.verdictsRoot),
        digest: hashVerdictBatch(domain, batch),
        signatures,
        recover: (signature) => recoverVerdictBatchSigner(domain, batch, signature),
        covers: (log) =>
          log.eventName === "VerdictsSettled"
            ? log.args.verdictsRoot?.toLowerCase() === batch.verdictsRoot.toLowerCase()
            : verdicts.some((v) => v.jobId === log.args.jobId && v.shard === Number(log.args.shard)),
      },
    ];
  }
  return undefined;
}

/**
 * The chain half of key safety (PROTOCOL §18.5): follows JobMarket's `ShardSettled`, `ShardFailed`,
 * `ShardDeveloperFault` and `VerdictsSettled` (a batch, even one whose every leaf was skipped), reads each settling transaction, decodes its `settle` / `settleVerdicts`
 * calldata and recovers the signers of the statement that settled the shard (its attestation, or the
 * batch statement whose leaves hold it, subject `batch:<market>:<root>`) (domain `rigelDomain(chainId,
 * committee)`). When one of them is this node's key over a digest the signed-digest log does not
 * hold, the guard halts signing. A transaction that is not a direct call of the market (a contract
 * in between) is skipped with a warning.
 */
export function createSignatureWatcher(p: {
  client: PublicClient;
  market: Address;
  domain: RigelDomain;
  /** This node's signer address. */
  signer: Address;
  guard: SigningGuard;
  cursor: CursorStore;
  startBlock: bigint;
  confirmations?: bigint;
  logger?: Logger;
}): LogFollower {
  const market = getAddress(p.market);
  const signer = getAddress(p.signer);
  return new LogFollower({
    name: `oracle-signatures-${market.toLowerCase()}`,
    client: p.client,
    address: market,
    events: [shardSettledEvent, shardFailedEvent, shardDeveloperFaultEvent, verdictsSettledEvent],
    cursor: p.cursor,
    startBlock: p.startBlock,
    confirmations: p.confirmations,
    onLogs: async (logs) => {
      const inputs = new Map<Hex, Hex>();
      const checked = new Set<string>();
      for (const log of logs as WatchedLog[]) {
        const hash = log.transactionHash;
        if (!hash) continue;
        let input = inputs.get(hash);
        if (input === undefined) {
          try {
            input = (await p.client.getTransaction({ hash })).input;
          } catch (err) {
            throw new ChainReadError("RPC_UNAVAILABLE", `could not read transaction ${hash}`, {
              cause: err,
              details: { tx: hash },
            });
          }
          inputs.set(hash, input);
        }
        const settled = settledStatements(input, market, p.domain)?.find((s) => s.covers(log));
        if (!settled) {
          p.logger?.warn(
            { tx: hash, jobId: log.args.jobId?.toString(), shard: log.args.shard, root: log.args.verdictsRoot },
            "settling transaction not decoded; its signatures are not checked",
          );
          continue;
        }
        // A batch settles many shards in one transaction: its statement is checked once.
        const seenKey = `${hash}:${settled.subject}`;
        if (checked.has(seenKey)) continue;
        checked.add(seenKey);
        for (const signature of settled.signatures) {
          const recovered = await settled.recover(signature).catch(() => undefined);
          if (recovered === undefined || getAddress(recovered) !== signer) continue;
          p.guard.sawOwnSignature({
            subject: settled.subject,
            digest: settled.digest,
            tx: hash,
            block: log.blockNumber ?? 0n,
          });
        }
      }
    },
  });
}
