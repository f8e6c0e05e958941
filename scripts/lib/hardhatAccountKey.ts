import { bytesToHex, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** Hardhat's well-known test mnemonic (anvil's default too): its keys are public, for local chains only. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** The private key of one of Hardhat's 20 default accounts, by address (dev chains only). */
export function hardhatAccountKey(address: string): Hex {
  for (let i = 0; i < 20; i++) {
    const account = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: i });
    if (account.address.toLowerCase() === address.toLowerCase()) {
      const key = account.getHdKey().privateKey;
      if (key) return bytesToHex(key);
    }
  }
  throw new Error(`${address} is not a Hardhat default account`);
}
