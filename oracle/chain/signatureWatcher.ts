import { decodeFunctionData, getAddress, type Address, type Hex, type Log, type PublicClient } from "viem";
import { ChainReadError, LogFollower, type CursorStore } from "../../sdk/chain/logFollower";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import { hashShardAttestation, recoverShardAttestationSigner } from "../../sdk/eip712/shardAttestation";
import type { RigelDomain, ShardAttestation } from "../../sdk/eip712/types";
import type { Logger } from "../../sdk/log/createLogger";
import { shardDeveloperFaultEvent, shardFailedEvent, shardSettledEvent } from "../../sdk/market/events";
import { shardSubject } from "../attest/shardSigner";
import type { SigningGuard } from "../attest/signingGuard";

type FinalLog = Log & { args: { jobId: bigint; shard: number | bigint } };

/** The attestations and signatures a `settle` or `settleBatch` call carried; undefined for other calldata. */
function settledAttestations(input: Hex): { attestation: ShardAttestation; signatures: readonly Hex[] }[] | undefined {
  let call;
  try {
    call = decodeFunctionData({ abi: jobMarketAbi, data: input });
  } catch {
    return undefined;
  }
  if (call.functionName === "settle") {
    const [attestation, signatures] = call.args;
    return [{ attestation: attestation as ShardAttestation, signatures }];
  }
  if (call.functionName === "settleBatch") {
    const [attestations, signatures] = call.args;
    return attestations.map((a, i) => ({ attestation: a as ShardAttestation, signatures: signatures[i] ?? [] }));
  }
  return undefined;
}

/**
 * The chain half of key safety (PROTOCOL §18.5): follows JobMarket's `ShardSettled`, `ShardFailed`
 * and `ShardDeveloperFault`, reads each settling transaction, decodes its `settle` / `settleBatch`
 * calldata and recovers the signers of that shard's attestation (domain `rigelDomain(chainId,
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
    events: [shardSettledEvent, shardFailedEvent, shardDeveloperFaultEvent],
    cursor: p.cursor,
    startBlock: p.startBlock,
    confirmations: p.confirmations,
    onLogs: async (logs) => {
      const inputs = new Map<Hex, Hex>();
      for (const log of logs as FinalLog[]) {
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
        const jobId = log.args.jobId;
        const shard = Number(log.args.shard);
        const settled = settledAttestations(input)?.find(
          (s) =>
            getAddress(s.attestation.market) === market &&
            s.attestation.jobId === jobId &&
            s.attestation.shard === shard,
        );
        if (!settled) {
          p.logger?.warn(
            { tx: hash, jobId: jobId.toString(), shard },
            "settling transaction not decoded; its signatures are not checked",
          );
          continue;
        }
        const digest = hashShardAttestation(p.domain, settled.attestation);
        for (const signature of settled.signatures) {
          const recovered = await recoverShardAttestationSigner(p.domain, settled.attestation, signature).catch(
            () => undefined,
          );
          if (recovered === undefined || getAddress(recovered) !== signer) continue;
          p.guard.sawOwnSignature({
            subject: shardSubject(market, jobId, shard),
            digest,
            tx: hash,
            block: log.blockNumber ?? 0n,
          });
        }
      }
    },
  });
}
