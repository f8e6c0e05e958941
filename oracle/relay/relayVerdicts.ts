import { parseEventLogs, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { withGasHeadroom } from "../../sdk/chain/gasHeadroom";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import { recoverShardAttestationSigner } from "../../sdk/eip712/shardAttestation";
import { sortSignaturesBySigner, type SignerSignature } from "../../sdk/eip712/sortSignatures";
import type { RigelDomain, ShardVerdict, VerdictBatch } from "../../sdk/eip712/types";
import type { Logger } from "../../sdk/log/createLogger";
import { OracleClient } from "../../sdk/oracleApi/client";
import { shardAttestationFromJson, type SignedShardAttestation } from "../../sdk/oracleApi/types";

/** Input of {@link gatherShardSignatures}. */
export interface GatherParameters {
  own: SignedShardAttestation;
  peers: readonly string[];
  domain: RigelDomain;
  timeoutMs?: number;
}

/**
 * The signatures over exactly this node's attestation: its own plus every peer's whose
 * `GET /v1/attestations/…` answer carries the identical struct and recovers to the signer it
 * names. Unreachable peers and other verdicts are skipped.
 */
export async function gatherShardSignatures(p: GatherParameters): Promise<SignerSignature[]> {
  const mine = p.own.attestation;
  const want = JSON.stringify(mine);
  const found: SignerSignature[] = [{ signer: p.own.signer, signature: p.own.signature }];
  const answers = await Promise.allSettled(
    p.peers.map((url) =>
      new OracleClient({ baseUrl: url, timeoutMs: p.timeoutMs ?? 5_000 }).getAttestation(
        BigInt(mine.jobId),
        mine.shard,
      ),
    ),
  );
  for (const answer of answers) {
    if (answer.status !== "fulfilled" || answer.value === undefined) continue;
    const peer = answer.value;
    if (JSON.stringify(peer.attestation) !== want) continue;
    if (found.some((f) => f.signer === peer.signer)) continue;
    const recovered = await recoverShardAttestationSigner(p.domain, shardAttestationFromJson(mine), peer.signature);
    if (recovered === peer.signer) found.push({ signer: peer.signer, signature: peer.signature });
  }
  return found;
}

/**
 * Settles a shard on-chain with a quorum (PROTOCOL §13.1, relay): the first `threshold` signatures
 * sorted by signer. Returns the transaction hash.
 */
export async function settleWithQuorum(p: {
  publicClient: PublicClient;
  walletClient: WalletClient;
  market: Address;
  attestation: SignedShardAttestation["attestation"];
  signatures: SignerSignature[];
  threshold: number;
  logger: Logger;
}): Promise<Hex> {
  const chosen = [...p.signatures].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1)).slice(0, p.threshold);
  const { request } = await p.publicClient.simulateContract({
    account: p.walletClient.account!,
    address: p.market,
    abi: jobMarketAbi,
    functionName: "settle",
    args: [shardAttestationFromJson(p.attestation), sortSignaturesBySigner(chosen)],
  });
  const hash = await p.walletClient.writeContract(request);
  await p.publicClient.waitForTransactionReceipt({ hash });
  p.logger.info({ jobId: p.attestation.jobId, shard: p.attestation.shard, hash }, "relayed a verdict on-chain");
  return hash;
}

/**
 * Settles a verdict batch on-chain (PROTOCOL §20.6): `JobMarket.settleVerdicts(batch, signatures,
 * verdicts)` with signatures already sorted by signer, its gas estimated (the estimate is the
 * simulation: a batch that would revert throws here, decoded, and nothing is sent), then sent with
 * that gas plus headroom ({@link withGasHeadroom}) and mined. Returns the transaction hash and how
 * many leaves the market settled (its `VerdictsSettled` event; the others it skipped:
 * `VerdictSkipped`, e.g. a shard another relay settled first). Old rules: a separate simulation
 * before the estimate, one more execution of a batch of up to 100 leaves on a node that every agent
 * and oracle queue their reads at; the bare estimate as the gas limit.
 */
export async function settleVerdictBatch(p: {
  publicClient: PublicClient;
  walletClient: WalletClient;
  market: Address;
  batch: VerdictBatch;
  signatures: Hex[];
  verdicts: ShardVerdict[];
  logger: Logger;
}): Promise<{ hash: Hex; settled: bigint }> {
  const call = {
    account: p.walletClient.account!,
    address: p.market,
    abi: jobMarketAbi,
    functionName: "settleVerdicts",
    args: [p.batch, p.signatures, p.verdicts],
  } as const;
  // With headroom: a 100-leaf batch estimated on one state and mined on a later one ran out of gas in
  // the settlement module (`FailedCall()`) under load, and its receipt said reverted.
  const gas = withGasHeadroom(await p.publicClient.estimateContractGas(call));
  const hash = await p.walletClient.writeContract({ ...call, chain: p.walletClient.chain, gas });
  const receipt = await p.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`settleVerdicts ${hash} reverted`);
  const [event] = parseEventLogs({ abi: jobMarketAbi, eventName: "VerdictsSettled", logs: receipt.logs });
  const settled = event?.args.settled ?? 0n;
  p.logger.debug({ hash, leaves: p.verdicts.length, settled: settled.toString() }, "relayed a verdict batch on-chain");
  return { hash, settled };
}
