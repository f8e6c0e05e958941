import { expect } from "chai";
import { concat, encodeAbiParameters, hashDomain, keccak256, toHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  capacityAttestationTypedData,
  hashCapacityAttestation,
  recoverCapacityAttestationSigner,
  signCapacityAttestation,
} from "../../../sdk/eip712/capacityAttestation";
import {
  hashShardAttestation,
  recoverShardAttestationSigner,
  shardAttestationTypedData,
  signShardAttestation,
} from "../../../sdk/eip712/shardAttestation";
import { DuplicateSignerError, sortSignaturesBySigner } from "../../../sdk/eip712/sortSignatures";
import {
  rigelAttestationTypes,
  rigelDomain,
  Verdict,
  type CapacityAttestation,
  type ShardAttestation,
} from "../../../sdk/eip712/types";

const committee: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const domain = rigelDomain(31337, committee);
const keys: Hex[] = [1, 2, 3, 4, 5].map((i) => toHex(i * 0x1111111111111, { size: 32 }));
const accounts = keys.map((k) => privateKeyToAccount(k));

const shard: ShardAttestation = {
  market: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  jobId: 42n,
  shard: 7,
  operator: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  resultRoot: keccak256("0x01"),
  verdict: Verdict.Valid,
  units: 1234n,
  expiry: 1_900_000_000n,
};
const capacity: CapacityAttestation = {
  operator: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  challengeId: keccak256("0x02"),
  opsPerSec: 123_000_000_000_000n,
  vramMiB: 81920,
  gpuModel: toHex("NVIDIA H100 80GB HBM3", { size: 32 }),
  validUntil: 1_900_000_000n,
};

const SHARD_TYPE =
  "ShardAttestation(address market,uint256 jobId,uint32 shard,address operator,bytes32 resultRoot,uint8 verdict,uint64 units,uint64 expiry)";
const CAPACITY_TYPE =
  "CapacityAttestation(address operator,bytes32 challengeId,uint64 opsPerSec,uint32 vramMiB,bytes32 gpuModel,uint64 validUntil)";

/** The domain separator as Solidity's EIP712 computes it, written out by hand. */
function domainSeparator(chainId: bigint, verifyingContract: Address): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint256" }, { type: "address" }],
      [
        keccak256(toHex("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")),
        keccak256(toHex("Rigel")),
        keccak256(toHex("1")),
        chainId,
        verifyingContract,
      ],
    ),
  );
}

describe("sdk/eip712", () => {
  it("builds the domain {Rigel, 1, chainId, committee} whose separator is viem's hashDomain and Solidity's", () => {
    expect(domain).to.deep.equal({ name: "Rigel", version: "1", chainId: 31337, verifyingContract: committee });
    const viemSeparator = hashDomain({
      domain: { ...domain, chainId: BigInt(domain.chainId) },
      types: {
        EIP712Domain: [
          { name: "name", type: "string" },
          { name: "version", type: "string" },
          { name: "chainId", type: "uint256" },
          { name: "verifyingContract", type: "address" },
        ],
      },
    });
    expect(viemSeparator).to.equal(domainSeparator(31337n, committee));
  });

  it("hashes a shard attestation as keccak256(0x1901 ‖ domainSeparator ‖ structHash) with the contract's type", () => {
    const structHash = keccak256(
      encodeAbiParameters(
        [
          { type: "bytes32" },
          { type: "address" },
          { type: "uint256" },
          { type: "uint32" },
          { type: "address" },
          { type: "bytes32" },
          { type: "uint8" },
          { type: "uint64" },
          { type: "uint64" },
        ],
        [
          keccak256(toHex(SHARD_TYPE)),
          shard.market,
          shard.jobId,
          shard.shard,
          shard.operator,
          shard.resultRoot,
          shard.verdict,
          shard.units,
          shard.expiry,
        ],
      ),
    );
    const digest = keccak256(concat(["0x1901", domainSeparator(31337n, committee), structHash]));
    expect(hashShardAttestation(domain, shard)).to.equal(digest);
    expect(shardAttestationTypedData(domain, shard).primaryType).to.equal("ShardAttestation");
    expect(rigelAttestationTypes.ShardAttestation.map((f) => `${f.type} ${f.name}`).join(",")).to.equal(
      SHARD_TYPE.slice("ShardAttestation(".length, -1),
    );
  });

  it("hashes a capacity attestation with the contract's type", () => {
    const structHash = keccak256(
      encodeAbiParameters(
        [
          { type: "bytes32" },
          { type: "address" },
          { type: "bytes32" },
          { type: "uint64" },
          { type: "uint32" },
          { type: "bytes32" },
          { type: "uint64" },
        ],
        [
          keccak256(toHex(CAPACITY_TYPE)),
          capacity.operator,
          capacity.challengeId,
          capacity.opsPerSec,
          capacity.vramMiB,
          capacity.gpuModel,
          capacity.validUntil,
        ],
      ),
    );
    const digest = keccak256(concat(["0x1901", domainSeparator(31337n, committee), structHash]));
    expect(hashCapacityAttestation(domain, capacity)).to.equal(digest);
    expect(capacityAttestationTypedData(domain, capacity).primaryType).to.equal("CapacityAttestation");
  });

  it("signs and recovers both attestation types; another domain or message recovers someone else", async () => {
    const [alice] = accounts;
    const shardSig = await signShardAttestation(alice, domain, shard);
    expect(shardSig).to.match(/^0x[0-9a-f]{130}$/);
    expect(await recoverShardAttestationSigner(domain, shard, shardSig)).to.equal(alice.address);
    expect(await recoverShardAttestationSigner(domain, { ...shard, verdict: Verdict.Invalid }, shardSig)).to.not.equal(
      alice.address,
    );
    expect(await recoverShardAttestationSigner(rigelDomain(1, committee), shard, shardSig)).to.not.equal(alice.address);
    const capacitySig = await signCapacityAttestation(alice, domain, capacity);
    expect(await recoverCapacityAttestationSigner(domain, capacity, capacitySig)).to.equal(alice.address);
    expect(await recoverCapacityAttestationSigner(domain, { ...capacity, opsPerSec: 1n }, capacitySig)).to.not.equal(
      alice.address,
    );
  });

  it("orders signatures by strictly increasing signer address and refuses a duplicate signer", async () => {
    const signed = await Promise.all(
      accounts.map(async (account) => ({
        signer: account.address,
        signature: await signShardAttestation(account, domain, shard),
      })),
    );
    const sorted = sortSignaturesBySigner(signed);
    const signers = await Promise.all(sorted.map((sig) => recoverShardAttestationSigner(domain, shard, sig)));
    for (let i = 1; i < signers.length; i++) expect(BigInt(signers[i]) > BigInt(signers[i - 1])).to.equal(true);
    expect(new Set(signers)).to.deep.equal(new Set(accounts.map((a) => a.address)));
    const lower = { ...signed[0], signer: signed[0].signer.toLowerCase() as Address };
    expect(() => sortSignaturesBySigner([...signed, lower]))
      .to.throw(DuplicateSignerError)
      .with.property("signer", signed[0].signer);
  });
});
