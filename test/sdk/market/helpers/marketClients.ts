// viem clients on the in-process Hardhat network, for the sdk/market tests: a public client and a
// wallet client per Hardhat default account (devs[0] of protocolFixture is account 2).
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import { createPublicClient, createWalletClient, custom, getAddress, toHex, type Address } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import type { Protocol } from "../../../../fixtures/protocolFixture";

const MNEMONIC = "test test test test test test test test test test test junk";

export const publicClient = createPublicClient({
  chain: hardhat,
  transport: custom(hre.network.provider),
  cacheTime: 0,
});

/** A wallet client for Hardhat's default account `index`, with a local account (it signs itself). */
export function walletClient(index: number) {
  const key = toHex(mnemonicToAccount(MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);
  return createWalletClient({
    chain: hardhat,
    transport: custom(hre.network.provider),
    account: privateKeyToAccount(key),
  });
}

/** The protocol's addresses, checksummed. */
export async function addressesOf(p: Protocol): Promise<{ market: Address; rgl: Address; usd: Address }> {
  const at = async (c: { getAddress(): Promise<string> }) => getAddress(await c.getAddress());
  return { market: await at(p.market), rgl: await at(p.rgl), usd: await at(p.usd) };
}

/**
 * The chain's time now. A block is mined first: after `loadFixture` reverts to its snapshot, the
 * latest block is the snapshot's, possibly minutes old on a busy machine, and a time increase that
 * an earlier test made still applies to the next block; reading `time.latest()` alone then gives a
 * "now" that the next transaction's block is far past.
 */
export async function chainNow(): Promise<bigint> {
  await mine();
  return BigInt(await time.latest());
}
