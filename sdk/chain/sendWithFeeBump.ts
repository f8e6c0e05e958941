import {
  BaseError,
  TransactionReceiptNotFoundError,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import { RigelError } from "../errors/RigelError";
import type { Logger } from "../log/createLogger";

/**
 * When and how far a stuck transaction's fees are raised (PROTOCOL §14.2): after `bumpAfterMs`
 * without inclusion it is replaced, same nonce, with both fee caps raised by 12.5 % (the EIP-1559
 * replacement rule; nodes ask at least 10 %), again after each further `bumpAfterMs`, until the next
 * raise would pass `maxFeePerGas`. Then it waits at the last fees.
 */
export interface FeeBumpPolicy {
  /** Milliseconds without inclusion before a replacement; 0 never replaces. */
  bumpAfterMs: number;
  /** The highest `maxFeePerGas` (wei) the sender ever offers. */
  maxFeePerGas: bigint;
}

/** The EIP-1559 fee caps of one broadcast. */
export interface Eip1559Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** A transaction that could not be sent, or whose nonce was used by another transaction of the account. */
export class TxSendError extends RigelError {
  override readonly name = "TxSendError";
}

/** What one sender needs: the clients, the account, and the policy. */
export interface FeeBumpSenderParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  account: LocalAccount;
  chain?: Chain;
  policy: FeeBumpPolicy;
  logger?: Logger;
  /** Receipt polling period (default 100 ms). */
  pollingIntervalMs?: number;
  /** Milliseconds now (default the clock): tests pass their own. */
  now?: () => number;
  /** Called after each replacement is broadcast (logs, metrics, tests). */
  onReplaced?: (event: { nonce: number; hash: Hex; replaced: Hex; fees: Eip1559Fees }) => void;
}

/** The call to send. */
export interface TxRequest {
  to: Address;
  data: Hex;
  gas: bigint;
  value?: bigint;
}

/** A broadcast transaction and its replacements, all with one nonce (newest last). */
export interface PendingTx {
  request: TxRequest;
  nonce: number;
  fees: Eip1559Fees;
  hashes: Hex[];
  /** When the newest broadcast was made (ms, `now()`). */
  sentAt: number;
}

/** What {@link FeeBumpSender.waitMined} returns: the receipt of whichever broadcast was mined. */
export interface MinedTx {
  hash: Hex;
  receipt: TransactionReceipt;
  /** Replacements sent before one was mined. */
  replacements: number;
}

/** Fees raised by 12.5 %, rounded up; undefined when that would pass `cap` (no valid replacement left). */
export function bumpedFees(fees: Eip1559Fees, cap: bigint): Eip1559Fees | undefined {
  const raise = (x: bigint) => x + (x + 7n) / 8n; // x + ⌈x/8⌉ ≥ 1.125·x
  const maxFeePerGas = raise(fees.maxFeePerGas);
  if (maxFeePerGas > cap) return undefined;
  const maxPriorityFeePerGas = raise(fees.maxPriorityFeePerGas);
  return {
    maxFeePerGas,
    maxPriorityFeePerGas: maxPriorityFeePerGas > maxFeePerGas ? maxFeePerGas : maxPriorityFeePerGas,
  };
}

/**
 * Sends transactions of one account with the {@link FeeBumpPolicy}: `broadcast` picks the nonce
 * (pending count) and the chain's suggested fees (never above the cap) and sends; `waitMined` polls
 * for a receipt of any of its broadcasts and replaces the transaction when it waits too long. A
 * replacement the node refuses (underpriced, or the nonce already used by a broadcast now mined) is
 * logged and the wait goes on; a nonce used by a transaction that is none of ours is a
 * {@link TxSendError} (`TX_NONCE_TAKEN`).
 */
export class FeeBumpSender {
  private readonly pollingIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly p: FeeBumpSenderParameters) {
    this.pollingIntervalMs = p.pollingIntervalMs ?? 100;
    this.now = p.now ?? Date.now;
  }

  /**
   * Sends `request` once, at the chain's suggested fees capped by the policy. A caller that counts its
   * own nonces and caches fee estimates (one account, one send queue) passes them in `known`.
   */
  async broadcast(request: TxRequest, known: { nonce?: number; fees?: Eip1559Fees } = {}): Promise<PendingTx> {
    const { publicClient, account, policy } = this.p;
    const nonce =
      known.nonce ?? (await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" }));
    const suggested = known.fees ?? (await publicClient.estimateFeesPerGas());
    const maxFeePerGas = suggested.maxFeePerGas < policy.maxFeePerGas ? suggested.maxFeePerGas : policy.maxFeePerGas;
    const fees = {
      maxFeePerGas,
      maxPriorityFeePerGas:
        suggested.maxPriorityFeePerGas < maxFeePerGas ? suggested.maxPriorityFeePerGas : maxFeePerGas,
    };
    const hash = await this.send(request, nonce, fees);
    return { request, nonce, fees, hashes: [hash], sentAt: this.now() };
  }

  /** Waits until one of `pending`'s broadcasts is mined, replacing it as the policy says. */
  async waitMined(pending: PendingTx): Promise<MinedTx> {
    const { publicClient, account, policy, logger } = this.p;
    for (;;) {
      for (const hash of pending.hashes) {
        const receipt = await this.receipt(hash);
        if (receipt) return { hash, receipt, replacements: pending.hashes.length - 1 };
      }
      const mined = await publicClient.getTransactionCount({ address: account.address, blockTag: "latest" });
      if (mined > pending.nonce) {
        // Ours may have been mined between the receipt reads and the count: look once more.
        for (const hash of pending.hashes) {
          const receipt = await this.receipt(hash);
          if (receipt) return { hash, receipt, replacements: pending.hashes.length - 1 };
        }
        throw new TxSendError("TX_NONCE_TAKEN", `nonce ${pending.nonce} was used by another transaction`, {
          details: { nonce: pending.nonce, hashes: pending.hashes },
        });
      }
      if (policy.bumpAfterMs > 0 && this.now() - pending.sentAt >= policy.bumpAfterMs) {
        const fees = bumpedFees(pending.fees, policy.maxFeePerGas);
        const replaced = pending.hashes[pending.hashes.length - 1];
        if (!fees) {
          if (pending.sentAt !== Number.POSITIVE_INFINITY) {
            logger?.warn(
              {
                nonce: pending.nonce,
                hash: replaced,
                maxFeePerGas: pending.fees.maxFeePerGas,
                cap: policy.maxFeePerGas,
              },
              "transaction still not mined and its fees are at the cap: waiting",
            );
          }
          pending.sentAt = Number.POSITIVE_INFINITY;
        } else {
          try {
            const hash = await this.send(pending.request, pending.nonce, fees);
            pending.hashes.push(hash);
            pending.fees = fees;
            logger?.warn(
              { nonce: pending.nonce, hash, replaced, maxFeePerGas: fees.maxFeePerGas, tip: fees.maxPriorityFeePerGas },
              "transaction not mined in time: replaced with fees raised 12.5%",
            );
            this.p.onReplaced?.({ nonce: pending.nonce, hash, replaced, fees });
          } catch (err) {
            // Refused (underpriced, or a broadcast of ours was just mined): the next pass reads the receipts.
            logger?.warn({ err, nonce: pending.nonce }, "fee-bump replacement refused");
          }
          pending.sentAt = this.now();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, this.pollingIntervalMs));
    }
  }

  /**
   * Signs here and sends the raw transaction when the chain is known (one RPC, `eth_sendRawTransaction`:
   * nonce, gas and fees are all given, so nothing is left to prepare); else viem's `sendTransaction`,
   * which reads the chain id (and may read the block) before each send.
   */
  private async send(request: TxRequest, nonce: number, fees: Eip1559Fees): Promise<Hex> {
    const { walletClient, account } = this.p;
    const chain = this.p.chain ?? walletClient.chain;
    const tx = { to: request.to, data: request.data, gas: request.gas, value: request.value ?? 0n, nonce, ...fees };
    if (chain) {
      const serializedTransaction = await account.signTransaction({ ...tx, chainId: chain.id, type: "eip1559" });
      return walletClient.sendRawTransaction({ serializedTransaction });
    }
    return walletClient.sendTransaction({ account, chain: null, type: "eip1559", ...tx });
  }

  private async receipt(hash: Hex): Promise<TransactionReceipt | undefined> {
    try {
      return await this.p.publicClient.getTransactionReceipt({ hash });
    } catch (err) {
      if (err instanceof TransactionReceiptNotFoundError) return undefined;
      if (err instanceof BaseError && err.walk((e) => e instanceof TransactionReceiptNotFoundError)) return undefined;
      throw err;
    }
  }
}
