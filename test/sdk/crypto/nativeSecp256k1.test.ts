import { expect } from "chai";
import {
  hashMessage,
  hexToBigInt,
  keccak256,
  numberToHex,
  parseGwei,
  recoverAddress,
  toHex,
  type Address,
  type Hex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { nativeAccount, nativeRecovery, serviceAccount } from "../../../sdk/crypto/nativeSecp256k1";
import { recoverSigner, useSignerRecovery } from "../../../sdk/crypto/recoverSigner";
import { recoverShardAttestationSigner, shardAttestationTypedData } from "../../../sdk/eip712/shardAttestation";
import { rigelDomain, Verdict, type ShardAttestation } from "../../../sdk/eip712/types";

// The services' native secp256k1 (PROTOCOL §20.8): the same signature bytes as viem's account for
// every kind of signing, the same recovered addresses, and viem's answer (or error) for every input
// the native path does not take.

const N = hexToBigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
const domain = rigelDomain(31337, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
const attestation = (i: number): ShardAttestation => ({
  market: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  jobId: BigInt(i + 1),
  shard: i,
  operator: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  resultRoot: keccak256(toHex(i)),
  verdict: Verdict.Valid,
  units: BigInt(1000 + i),
  expiry: 1_900_000_000n,
});

/** viem's recovery, or the error message it throws. */
const viemRecovers = (hash: Hex, signature: Hex): Promise<Address | string> =>
  recoverAddress({ hash, signature }).catch((e: Error) => `error: ${e.name}`);

describe("sdk/crypto/nativeSecp256k1", () => {
  const recovery = nativeRecovery();

  it("loads the native binding on this machine (the services' fast path)", () => {
    expect(recovery).to.be.a("function");
    expect(nativeAccount(generatePrivateKey())).to.not.equal(undefined);
  });

  it("signs hashes, messages, typed data and transactions with the same bytes as viem's account (40 keys)", async () => {
    for (let i = 0; i < 40; i++) {
      const key = generatePrivateKey();
      const viem = privateKeyToAccount(key);
      const native = serviceAccount(key);
      expect(native.address).to.equal(viem.address);
      expect(native.publicKey).to.equal(viem.publicKey);
      const hash = keccak256(toHex(`hash ${i}`));
      expect(await native.sign!({ hash })).to.equal(await viem.sign({ hash }));
      expect(await native.signMessage({ message: `request ${i}` })).to.equal(
        await viem.signMessage({ message: `request ${i}` }),
      );
      expect(await native.signMessage({ message: { raw: hash } })).to.equal(
        await viem.signMessage({ message: { raw: hash } }),
      );
      const typed = shardAttestationTypedData(domain, attestation(i));
      expect(await native.signTypedData(typed)).to.equal(await viem.signTypedData(typed));
      const eip1559 = {
        chainId: 31337,
        nonce: i,
        to: viem.address,
        value: BigInt(i),
        gas: 21_000n,
        maxFeePerGas: parseGwei("2"),
        maxPriorityFeePerGas: parseGwei("1"),
        data: toHex(`call ${i}`),
      } as const;
      expect(await native.signTransaction(eip1559)).to.equal(await viem.signTransaction(eip1559));
      const legacy = { chainId: 31337, nonce: i, to: viem.address, gas: 21_000n, gasPrice: parseGwei("1") } as const;
      expect(await native.signTransaction(legacy)).to.equal(await viem.signTransaction(legacy));
    }
  });

  it("recovers the signer viem recovers, for low-s and high-s signatures (v 27/28 and 0/1)", async () => {
    for (let i = 0; i < 40; i++) {
      const viem = privateKeyToAccount(generatePrivateKey());
      const hash = keccak256(toHex(`digest ${i}`));
      const signature = await viem.sign({ hash });
      expect(recovery!(hash, signature)).to.equal(viem.address);
      expect(recovery!(hash, signature)).to.equal(await viemRecovers(hash, signature));
      const v = parseInt(signature.slice(130), 16);
      const yParity01 = `${signature.slice(0, 130)}${v === 27 ? "00" : "01"}` as Hex;
      expect(recovery!(hash, yParity01)).to.equal(await viemRecovers(hash, yParity01));
      // The same point with s' = n − s and the other parity: a malleated signature recovers the same
      // key in both libraries (request replay is the nonce's job, PROTOCOL §4.2).
      const s = hexToBigInt(`0x${signature.slice(66, 130)}`);
      const highS =
        `${signature.slice(0, 66)}${numberToHex(N - s, { size: 32 }).slice(2)}${v === 27 ? "1c" : "1b"}` as Hex;
      expect(recovery!(hash, highS)).to.equal(await viemRecovers(hash, highS));
    }
  });

  it("leaves every other input to viem: r = 0, s ≥ n, v 29, a 64-byte form, bad hex", async () => {
    const viem = privateKeyToAccount(generatePrivateKey());
    const hash = keccak256("0x1234");
    const good = await viem.sign({ hash });
    const cases: Hex[] = [
      `0x${"00".repeat(32)}${good.slice(66)}` as Hex,
      `${good.slice(0, 66)}${"ff".repeat(32)}${good.slice(130)}` as Hex,
      `${good.slice(0, 130)}1d` as Hex,
      good.slice(0, 130) as Hex,
      `0x${"zz".repeat(65)}` as Hex,
    ];
    for (const signature of cases) {
      expect(recovery!(hash, signature), signature).to.equal(undefined);
      useSignerRecovery(recovery);
      try {
        const registered = await recoverSigner(hash, signature).catch((e: Error) => `error: ${e.name}`);
        expect(registered).to.equal(await viemRecovers(hash, signature));
      } finally {
        useSignerRecovery(undefined);
      }
    }
  });

  it("registered, it answers the sdk's checks (request signers, attestations) as viem does", async () => {
    const viem = privateKeyToAccount(generatePrivateKey());
    const message = attestation(7);
    const signature = await viem.signTypedData(shardAttestationTypedData(domain, message));
    const digest = keccak256("0xabcdef");
    const requestSignature = await viem.signMessage({ message: { raw: digest } });
    useSignerRecovery(recovery);
    try {
      expect(await recoverShardAttestationSigner(domain, message, signature)).to.equal(viem.address);
      expect(await recoverSigner(hashMessage({ raw: digest }), requestSignature)).to.equal(viem.address);
      // Another message under the same signature: another address, as with viem.
      const other = { ...message, units: message.units + 1n };
      expect(await recoverShardAttestationSigner(domain, other, signature)).to.not.equal(viem.address);
    } finally {
      useSignerRecovery(undefined);
    }
  });
});
