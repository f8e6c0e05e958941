// Shared pieces of the agent tests: the whole protocol in-process (protocolFixture), the operator
// account of ops[0] as a viem account, the agent daemon wired to it, and a committee double that
// checks the proof with the sdk verifier and signs with the fixture's oracle keys.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { network } from "hardhat";
import { custom, getAddress, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { AgentChain } from "../../../agent/chain/agentChain";
import { AgentDaemon, type AgentDaemonParameters } from "../../../agent/daemon/agentDaemon";
import type { OracleGateway, ShardProof } from "../../../agent/oracle/oracleGateway";
import type { DockerClient } from "../../../sdk/executor/dockerClient";
import { findContainers, type FoundContainer } from "../../../sdk/executor/findContainers";
import { signShardAttestation } from "../../../sdk/eip712/shardAttestation";
import { rigelDomain, Verdict, type ShardAttestation } from "../../../sdk/eip712/types";
import { createLogger, type Logger } from "../../../sdk/log/createLogger";
import { generatedOperands } from "../../../sdk/pow/operands";
import { decodeRevealedRow } from "../../../sdk/pow/revealedRowWire";
import { windowOperands } from "../../../sdk/pow/rowWindow";
import { verifySampledRows } from "../../../sdk/pow/verify";
import { fetchJobSpec } from "../../../sdk/spec/fetchJobSpec";
import { matmulShardRows } from "../../../sdk/spec/shardWork";
import type { Protocol } from "../../contracts/market/protocolFixture";

const MNEMONIC = "test test test test test test test test test test test junk";

/** The viem account of Hardhat's default account `index` (ops[0] is 5, the oracles 12-14). */
export const hardhatAccount = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });

export async function deploymentOf(p: Protocol) {
  return {
    chainId: Number((await p.market.runner!.provider!.getNetwork()).chainId),
    block: 0n,
    contracts: {
      ComputeToken: getAddress(await p.rgl.getAddress()),
      OracleCommittee: getAddress(await p.committee.getAddress()),
      OperatorStaking: getAddress(await p.staking.getAddress()),
      RewardsDistributor: getAddress(await p.rewards.getAddress()),
      JobMarket: getAddress(await p.market.getAddress()),
      TimelockController: getAddress(await p.committee.getAddress()),
    },
  };
}

/** An AgentChain for Hardhat account `index` over the in-process network. */
export async function agentChainFor(p: Protocol, index: number): Promise<AgentChain> {
  return new AgentChain({
    transport: custom(network.provider),
    account: hardhatAccount(index),
    deployment: await deploymentOf(p),
  });
}

/**
 * A committee double (unit tests only): verifies a matmul proof exactly as an oracle would (sample
 * from the beacon, rows against the spec's operands) and signs with 2 of the fixture's 3 oracle keys;
 * container proofs get Valid when `itemHashes`/receipt are present. Counts the calls.
 */
export function committeeDouble(chain: AgentChain): OracleGateway & { calls: ShardProof[] } {
  const oracleIndices = [12, 13, 14].map(hardhatAccount);
  const calls: ShardProof[] = [];
  return {
    calls,
    async attestShard(proof) {
      calls.push(proof);
      let verdict: Verdict = Verdict.Valid;
      if (proof.kind === "matmul-int8") {
        const job = await chain.getJob(proof.jobId);
        const created = await chain.publicClient.getContractEvents({
          address: chain.contracts.JobMarket,
          abi: (await import("../../../sdk/contracts/abis")).jobMarketAbi,
          eventName: "JobCreated",
          args: { jobId: proof.jobId },
          fromBlock: 0n,
        });
        const { spec } = await fetchJobSpec((created[0].args as { specURI: string }).specURI, job.specHash);
        if (spec.kind !== "matmul-int8") throw new Error("not matmul");
        const rows = matmulShardRows(spec, job.shards, proof.shard);
        const operands = windowOperands(generatedOperands({ seed: spec.seed, m: spec.m, n: spec.n, k: spec.k }), {
          rowStart: rows.start,
          rowEnd: rows.end,
        });
        try {
          verifySampledRows({
            operands,
            root: proof.root,
            beacon: proof.beacon,
            revealed: proof.rows!.map(decodeRevealedRow),
          });
        } catch {
          verdict = Verdict.Invalid;
        }
      }
      const now = await chain.latestTimestamp();
      const attestation: ShardAttestation = {
        market: chain.contracts.JobMarket,
        jobId: proof.jobId,
        shard: proof.shard,
        operator: proof.operator,
        resultRoot: proof.root,
        verdict,
        units: proof.units,
        expiry: now + 3600n,
      };
      const domain = rigelDomain(chain.chainId, chain.contracts.OracleCommittee);
      const signers = oracleIndices.slice(0, 2);
      return {
        attestation,
        signatures: await Promise.all(
          signers.map(async (a) => ({
            signer: a.address,
            signature: (await signShardAttestation(a, domain, attestation)) as Hex,
          })),
        ),
      };
    },
  };
}

/**
 * The containers of `job` whose outputs go under one of `dirs`: a test's own. Chain job ids are
 * small and repeat on every chain, and other tests (another mocha group, another checkout) may run
 * containers of the same ids on this Docker engine at the same time: never touch theirs.
 */
export async function containersIn(
  docker: DockerClient,
  job: bigint | string,
  dirs: readonly string[],
): Promise<FoundContainer[]> {
  const roots = dirs.map((d) => path.resolve(d) + path.sep);
  return (await findContainers(docker, { job: job.toString() })).filter((c) =>
    roots.some((r) => path.resolve(c.outputDir ?? "").startsWith(r)),
  );
}

export function tempDataDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rigel-agent-${prefix}-`));
}

/** Options of {@link testDaemon}: any daemon parameter, the committee as a function of the chain, a partial policy. */
export type TestDaemonOptions = Partial<Omit<AgentDaemonParameters, "oracle" | "policy">> & {
  port: number;
  oracle?: (chain: AgentChain) => OracleGateway;
  policy?: Partial<AgentDaemonParameters["policy"]>;
};

/** A daemon for ops[0] (Hardhat account 5) with test defaults and the committee double unless told otherwise. */
export async function testDaemon(
  p: Protocol,
  over: TestDaemonOptions,
): Promise<{
  daemon: AgentDaemon;
  chain: AgentChain;
  dataDir: string;
  logs: string[];
  logger: Logger;
  oracle: OracleGateway;
}> {
  const chain = over.chain ?? (await agentChainFor(p, 5));
  const dataDir = over.dataDir ?? tempDataDir("test");
  const logs: string[] = [];
  const logger = createLogger({
    name: "agent",
    level: "debug",
    destination: { write: (line: string) => void logs.push(line) },
  });
  const oracle = (over.oracle ?? ((c: AgentChain) => committeeDouble(c)))(chain);
  const { policy, ...rest } = over;
  const daemon = new AgentDaemon({
    logger,
    device: "cpu",
    claimIntervalSec: 0,
    submitMarginSec: 5,
    detectGpus: async () => [],
    retrySec: 0,
    ...rest,
    chain,
    dataDir,
    oracle,
    policy: {
      kinds: ["matmul-int8", "container"],
      minPricePerUnit: 0n,
      paymentTokens: [],
      maxShardsPerGpu: 1,
      cpuSlots: 4,
      ...policy,
    },
  });
  return { daemon, chain, dataDir, logs, logger, oracle };
}

/**
 * Gives up on a condition only after this long as well as after the passes asked for: a pass waits
 * for the daemon's own work, but not for what runs beside it (oracle ticks, containers), which a
 * loaded machine slows down. The wait ends as soon as the condition holds.
 */
export const UNTIL_MIN_MS = 120_000;

/**
 * Runs daemon passes until `done()` holds, waiting for shard work between passes. Fails once at
 * least `passes` passes and {@link UNTIL_MIN_MS} have gone by without it.
 */
export async function runUntil(
  daemon: AgentDaemon,
  done: () => boolean | Promise<boolean>,
  passes = 60,
): Promise<void> {
  const started = Date.now();
  for (let i = 1; ; i++) {
    await daemon.tick();
    await daemon.idle();
    if (await done()) return;
    if (i >= passes && Date.now() - started > UNTIL_MIN_MS) {
      throw new Error(`condition not reached in ${i} passes (${Date.now() - started} ms)`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
