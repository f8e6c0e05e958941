// Oracle nodes in-process on the Hardhat network, and the operator side driven with the sdk:
// accept, proveMatmulWindow, submit, reveal, post proofs, gather signatures, settle.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { network } from "hardhat";
import { createPublicClient, createWalletClient, custom, type Hex, type LocalAccount, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { mnemonicToAccount } from "viem/accounts";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { createLogger } from "../../../sdk/log/createLogger";
import { OracleClient } from "../../../sdk/oracleApi/client";
import type { ProofRequest, SignedShardAttestation } from "../../../sdk/oracleApi/types";
import { shardBeacon } from "../../../sdk/pow/beacon";
import { encodeRevealedRow, type RevealedRowJson } from "../../../sdk/pow/revealedRowWire";
import { revealSample } from "../../../sdk/pow/revealSample";
import { proveMatmulWindow } from "../../../sdk/pow/rowWindow";
import { commitRows, rowHashes } from "../../../sdk/pow/commitment";
import { jobSpecDataUri } from "../../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import type { MatmulInt8Spec } from "../../../sdk/spec/jobSpecTypes";
import { matmulShardRows, matmulUnits } from "../../../sdk/spec/shardWork";
import { OracleNode, type OracleNodeParameters } from "../../../oracle/oracleNode";
import { jobParamsFor, type Protocol } from "../../contracts/market/protocolFixture";

export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** The viem account of Hardhat's default account `index` (the fixtures' signers). */
export function hardhatAccount(index: number): LocalAccount {
  return mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });
}

/** The local account whose address is `signer`'s (Hardhat's first 20 accounts). */
export function accountOf(signer: { address: string }): LocalAccount {
  for (let i = 0; i < 20; i++) {
    const account = hardhatAccount(i);
    if (account.address.toLowerCase() === signer.address.toLowerCase()) return account;
  }
  throw new Error(`${signer.address} is not one of Hardhat's default accounts`);
}

export function viemPublicClient(): PublicClient {
  return createPublicClient({
    chain: hardhat,
    transport: custom(network.provider),
    pollingInterval: 10,
  }) as PublicClient;
}

/** Starts an oracle node for `oracle` (one of the fixture's committee signers). */
export async function startOracle(
  p: Protocol,
  oracle: HardhatEthersSigner,
  dataDir: string,
  over: Partial<OracleNodeParameters> = {},
): Promise<OracleNode> {
  const account = accountOf(oracle);
  const node = new OracleNode({
    account,
    publicClient: viemPublicClient(),
    walletClient: createWalletClient({ account, chain: hardhat, transport: custom(network.provider) }),
    chainId: Number((await p.market.runner!.provider!.getNetwork()).chainId),
    market: (await p.market.getAddress()) as Hex,
    committee: (await p.committee.getAddress()) as Hex,
    logger: createLogger({ name: "oracle-test", level: process.env.RIGEL_TEST_LOG ?? "silent" }),
    dataDir,
    host: "127.0.0.1",
    port: 0,
    peers: [],
    relay: false,
    relayValid: false,
    startBlock: 0n,
    revealWindowSec: 600,
    bodyLimit: "1mb",
    ratePerMinute: 10_000,
    ...over,
  });
  await node.init();
  return node;
}

export function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rigel-${name}-`));
}

/** A small matmul job spec: m×n×k, seeded. */
export function matmulSpec(seedByte: string, m = 64, n = 64, k = 64): MatmulInt8Spec {
  return { kind: "matmul-int8", version: 1, seed: `0x${seedByte.repeat(32)}` as Hex, m, n, k, rowStart: 0, rowEnd: m };
}

/** Creates a matmul job of `shards` shards paid in test USD; returns its id. */
export async function createMatmulJob(p: Protocol, spec: MatmulInt8Spec, shards: number): Promise<bigint> {
  const params = await jobParamsFor(await p.usd.getAddress(), {
    kind: 0,
    verificationMode: 0,
    shards,
    specHash: hashJobSpec(spec).hash,
    specURI: jobSpecDataUri(spec),
  });
  const tx = await p.market.connect(p.devs[0]).createJob(params);
  const receipt = await tx.wait();
  const log = receipt!.logs.map((l) => p.market.interface.parseLog(l)).find((l) => l?.name === "JobCreated");
  return log!.args.jobId as bigint;
}

/** An operator's computed shard, submitted on-chain, with the proof request ready to post. */
export interface SubmittedShard {
  jobId: bigint;
  shard: number;
  root: Hex;
  units: bigint;
  request: ProofRequest;
  /** The shard's result C′ as committed (int32, row-major). */
  c: Int32Array;
}

/**
 * The operator side of one shard: accept, compute the row window (optionally corrupting rows),
 * submit, derive the beacon from the submission block, reveal the sample.
 */
export async function computeAndSubmit(
  p: Protocol,
  op: HardhatEthersSigner,
  spec: MatmulInt8Spec,
  jobId: bigint,
  shard: number,
  shards: number,
  cheat: { corruptEvery?: number } = {},
): Promise<SubmittedShard> {
  await p.market.connect(op).accept(jobId, shard);
  const range = matmulShardRows(spec, shards, shard);
  const proof = await proveMatmulWindow(
    { seed: spec.seed, m: spec.m, n: spec.n, k: spec.k },
    { rowStart: range.start, rowEnd: range.end },
    { threads: 1 },
  );
  const rows = range.end - range.start;
  let { c, commitment } = proof;
  if (cheat.corruptEvery) {
    // A lazy prover: leaves every corruptEvery-th row as zeros and commits to that.
    c = c.slice();
    for (let i = 0; i < rows; i += cheat.corruptEvery) c.fill(0, i * spec.n, (i + 1) * spec.n);
    commitment = commitRows(rowHashes(c, rows, spec.n));
  }
  const units = matmulUnits(rows, spec.n, spec.k);
  const tx = await p.market.connect(op).submit(jobId, shard, commitment.root, units, "");
  const receipt = await tx.wait();
  const block = await p.market.runner!.provider!.getBlock(receipt!.blockNumber);
  const beacon = shardBeacon({
    chainId: (await p.market.runner!.provider!.getNetwork()).chainId,
    jobMarket: (await p.market.getAddress()) as Hex,
    jobId,
    shard,
    root: commitment.root,
    blockHash: block!.hash as Hex,
  });
  const revealed: RevealedRowJson[] = revealSample({ c, m: rows, n: spec.n, commitment, beacon }).map(
    encodeRevealedRow,
  );
  return {
    jobId,
    shard,
    root: commitment.root,
    units,
    c,
    request: {
      jobId: jobId.toString(),
      shard,
      operator: op.address as Hex,
      resultRoot: commitment.root,
      units: units.toString(),
      kind: "matmul-int8",
      rows: revealed,
    },
  };
}

/** Posts a proof to every node and returns the signed answers (nodes that fail are skipped). */
export async function proveToAll(
  urls: readonly string[],
  operator: LocalAccount,
  request: ProofRequest,
): Promise<SignedShardAttestation[]> {
  const answers: SignedShardAttestation[] = [];
  for (const url of urls) {
    try {
      const answer = await new OracleClient({ baseUrl: url, account: operator, timeoutMs: 60_000 }).submitProof(
        request,
      );
      if (answer.status === "signed") answers.push(answer);
    } catch {
      // A node that is down or refuses: the quorum may still form without it.
    }
  }
  return answers;
}
