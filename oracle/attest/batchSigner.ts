import type { Address, Hex, LocalAccount } from "viem";
import type { RigelDomain, VerdictBatch } from "../../sdk/eip712/types";
import { hashVerdictBatch, signVerdictBatch } from "../../sdk/eip712/verdictBatch";
import type { SigningGuard } from "./signingGuard";

/** The signed-digest log's subject of a batch: one digest per (market, verdicts root), ever (PROTOCOL §18.5). */
export function batchSubject(market: Address, verdictsRoot: Hex): string {
  return `batch:${market.toLowerCase()}:${verdictsRoot.toLowerCase()}`;
}

/**
 * Signs `VerdictBatch` statements (PROTOCOL §20.6) behind the node's signing guard: the digest is
 * checked against and appended to the signed-digest log under {@link batchSubject} before the
 * signature is made, so a second statement over the same root (another count or expiry) is refused
 * as `EQUIVOCATION_REFUSED`, and nothing is signed while signing is halted. The leaves themselves
 * are the caller's to check: every one must be a verdict this node already signed singly (its
 * subject `shard:…` in the same log), so a batch never says anything the node did not say before.
 */
export class BatchSigner {
  constructor(
    private readonly account: LocalAccount,
    private readonly domain: RigelDomain,
    private readonly guard: SigningGuard,
  ) {}

  get address(): Address {
    return this.account.address;
  }

  /** Logs, then signs; the same batch again gives the same signature (RFC 6979). */
  async sign(batch: VerdictBatch): Promise<Hex> {
    this.guard.beforeSign(batchSubject(batch.market, batch.verdictsRoot), hashVerdictBatch(this.domain, batch));
    return signVerdictBatch(this.account, this.domain, batch);
  }
}
