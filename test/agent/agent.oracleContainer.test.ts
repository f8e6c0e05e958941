// Container jobs in `sampled` mode end to end on the real Docker engine: the agent runs the items,
// commits them (PROTOCOL §12.4), submits, reveals the beacon's sample to three real oracle nodes
// whose container verifier (oracle/verify/dockerItemVerifier) re-runs those items in their own
// containers, gathers 2-of-3 identical signatures and settles on-chain.
import { expect } from "chai";
import type Dockerode from "dockerode";
import fs from "node:fs";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { network } from "hardhat";
import { custom, type Hex } from "viem";
import { createOracleGateway } from "../../agent/oracle/createOracleGateway";
import { dockerItemVerifier } from "../../oracle/verify/dockerItemVerifier";
import type { DockerClient } from "../../sdk/executor/dockerClient";
import { createLogger } from "../../sdk/log/createLogger";
import { ShardState } from "../../sdk/market/enums";
import { OracleClient } from "../../sdk/oracleApi/client";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { dockerForTests, TEST_IMAGE } from "../sdk/executor/dockerTestEnv";
import { containersIn, runUntil, tempDataDir, testDaemon } from "../../fixtures/agentHarness";
import { startTestCommittee, type TestCommittee } from "../../fixtures/oracleCommittee";

const FEE_BPS = 250n;

/** A sampled, itemised container job of `shards` shards; returns its id and on-chain parameters. */
async function createSampledJob(p: Protocol, items: string[], shards: number) {
  const spec = parseJobSpec({
    kind: "container",
    image: TEST_IMAGE,
    command: ["sh", "-c", 'echo "item $RIGEL_ITEM_INDEX: $RIGEL_ITEM" > $RIGEL_OUTPUT/out.txt'],
    memoryMiB: 64,
    timeoutSec: 60,
    items,
    verification: "sampled",
  });
  const params = await jobParamsFor(await p.usd.getAddress(), {
    kind: 1,
    verificationMode: 0,
    shards,
    minVramMiB: 0,
    specHash: hashJobSpec(spec).hash,
    specURI: jobSpecDataUri(spec),
  });
  await p.market.connect(p.devs[0]).createJob(params);
  return { jobId: await p.market.jobCount(), params };
}

/**
 * A cheating operator's Docker: every container it creates runs a cheap command that writes a
 * made-up output instead of the job's command. Its commitment is consistent with what it wrote.
 */
function skipWorkDocker(docker: Dockerode): DockerClient {
  return {
    createContainer: (options: Dockerode.ContainerCreateOptions) =>
      docker.createContainer({ ...options, Cmd: ["sh", "-c", 'echo "made up" > $RIGEL_OUTPUT/out.txt'] }),
    getContainer: docker.getContainer.bind(docker),
    getImage: docker.getImage.bind(docker),
    listContainers: docker.listContainers.bind(docker),
    pull: docker.pull.bind(docker),
    modem: docker.modem,
  } as DockerClient;
}

describe("agent + oracles: sampled container jobs re-run by the oracles on the real Docker engine", function () {
  let docker: Dockerode;
  let committee: TestCommittee | undefined;
  let workDirs: string[] = [];

  before(async function () {
    docker = await dockerForTests(this);
  });

  afterEach(async function () {
    await committee?.stop();
    committee = undefined;
    for (const dir of workDirs) fs.rmSync(dir, { recursive: true, force: true });
    workDirs = [];
  });

  async function startCommittee(p: Protocol, ports: number[]) {
    workDirs = [0, 1, 2].map((i) => tempDataDir(`oracle-work-${i}`));
    committee = await startTestCommittee({
      transport: custom(network.provider),
      chainId: 31337,
      market: (await p.market.getAddress()) as Hex,
      committee: (await p.committee.getAddress()) as Hex,
      startBlock: 0n,
      ports,
      containerVerifier: (i) => dockerItemVerifier({ docker, workDir: workDirs[i] }),
    });
    return committee;
  }

  const gatewayTo = (c: TestCommittee) => {
    const silent = createLogger({ name: "t", level: "silent", destination: { write: () => undefined } });
    return (chain: Parameters<typeof createOracleGateway>[0]["chain"]) =>
      createOracleGateway({ urls: c.urls.join(","), account: chain.account, chain, logger: silent });
  };

  it("an honest operator's 2 shards are re-run by all three oracles, settle Valid and pay the operator", async function () {
    const p = await loadFixture(deployProtocol);
    const c = await startCommittee(p, [8901, 8902, 8903]);
    const op = p.ops[0].address;
    // What each holds or is owed in USD: payouts and refunds are credited (pull payments, §20.1).
    const usd = async (a: string) => (await p.usd.balanceOf(a)) + (await p.market.owedOf(await p.usd.getAddress(), a));
    const [devBefore, opBefore, treasuryBefore] = await Promise.all([
      usd(p.devs[0].address),
      usd(op),
      usd(p.treasury.address),
    ]);
    const stakeBefore = await p.staking.operatorInfo(op).then((i) => i.selfStake);
    const { jobId, params } = await createSampledJob(p, ["a", "b", "c", "d", "e", "f", "g"], 2);
    const { daemon, dataDir } = await testDaemon(p, { port: 8900, docker, oracle: gatewayTo(c) });
    await daemon.init();
    try {
      await runUntil(
        daemon,
        async () =>
          (await Promise.all([0, 1].map(async (s) => (await p.market.getShard(jobId, s)).state))).every(
            (s) => s === BigInt(ShardState.Settled),
          ),
        240,
      );
      let paid = 0n;
      let fees = 0n;
      for (const s of [0, 1]) {
        const shard = await p.market.getShard(jobId, s);
        expect(shard.units).to.be.greaterThan(0n);
        const pay = shard.units * BigInt(params.maxPricePerUnit);
        paid += pay;
        fees += (pay * FEE_BPS) / 10_000n;
        const entry = daemon.journal.get(jobId, s)!;
        expect(entry.state).to.equal("settled");
        expect((entry.data.attestation as { verdict: number }).verdict).to.equal(1);
        // Every node re-ran the sample and signed the identical Valid attestation.
        expect(entry.data.signatures as Hex[]).to.have.length(3);
        for (const url of c.urls) {
          expect((await new OracleClient({ baseUrl: url }).getAttestation(jobId, s))?.reason).to.equal("verified");
        }
      }
      // The developer paid exactly the units used (the rest of the escrow came back), the operator
      // got them less the fee, the treasury the fee; the collateral is unlocked, nothing slashed.
      expect(devBefore - (await usd(p.devs[0].address))).to.equal(paid);
      expect((await usd(op)) - opBefore).to.equal(paid - fees);
      expect((await usd(p.treasury.address)) - treasuryBefore).to.equal(fees);
      expect(await p.staking.operatorInfo(op).then((i) => i.selfStake)).to.equal(stakeBefore);
      expect((await p.staking.operatorInfo(op)).lockedStake).to.equal(0n);
      expect(await p.market.escrowOf(await p.usd.getAddress())).to.equal(0n);
      // The oracles left no container and no work folder behind.
      expect(await containersIn(docker, jobId, [dataDir, ...workDirs])).to.have.length(0);
      for (const dir of workDirs) expect(fs.readdirSync(path.join(dir, "jobs"))).to.deep.equal([]);
    } finally {
      await daemon.shutdown();
    }
  });

  it("an operator that skipped the work gets Invalid from every oracle; settling slashes its collateral", async function () {
    const p = await loadFixture(deployProtocol);
    const c = await startCommittee(p, [8905, 8906, 8907]);
    const op = p.ops[0].address;
    const [devUsdBefore, devRglBefore, opUsdBefore, supplyBefore, stakeBefore] = await Promise.all([
      usdWealth(p, p.devs[0].address),
      p.rgl.balanceOf(p.devs[0].address),
      usdWealth(p, op),
      p.rgl.totalSupply(),
      p.staking.operatorInfo(op).then((i) => i.selfStake),
    ]);
    const slashedBefore = (await p.market.operatorRecord(op)).slashed;
    const { jobId } = await createSampledJob(p, ["a", "b", "c"], 1);
    const { daemon, dataDir } = await testDaemon(p, {
      port: 8904,
      docker: skipWorkDocker(docker),
      oracle: gatewayTo(c),
    });
    await daemon.init();
    try {
      await runUntil(daemon, async () => (await p.market.getShard(jobId, 0)).state === BigInt(ShardState.Failed), 240);
      expect(daemon.journal.get(jobId, 0)!.state).to.equal("failed");
      for (const url of c.urls) {
        const decided = await new OracleClient({ baseUrl: url }).getAttestation(jobId, 0);
        expect(decided?.attestation.verdict).to.equal(2);
        expect(decided?.reason).to.match(/^ITEM_OUTPUT_MISMATCH: item [0-2] re-ran to 0x[0-9a-f]{64}, not 0x/);
      }
      const slashed = (await p.market.operatorRecord(op)).slashed - slashedBefore;
      expect(slashed).to.be.greaterThan(0n);
      // The whole escrow goes back to the developer with half the slashed collateral; the other half is burned.
      expect(await usdWealth(p, p.devs[0].address)).to.equal(devUsdBefore);
      expect((await p.rgl.balanceOf(p.devs[0].address)) - devRglBefore).to.equal(slashed / 2n);
      expect(supplyBefore - (await p.rgl.totalSupply())).to.equal(slashed - slashed / 2n);
      expect(stakeBefore - (await p.staking.operatorInfo(op).then((i) => i.selfStake))).to.equal(slashed);
      expect(await usdWealth(p, op)).to.equal(opUsdBefore);
      expect((await p.staking.operatorInfo(op)).lockedStake).to.equal(0n);
      expect(await p.market.escrowOf(await p.usd.getAddress())).to.equal(0n);
      expect(await containersIn(docker, jobId, [dataDir, ...workDirs])).to.have.length(0);
    } finally {
      await daemon.shutdown();
    }
  });
});

/** USD held plus USD the market owes (payouts and refunds are credited, PROTOCOL §20.1). */
async function usdWealth(p: Protocol, who: string): Promise<bigint> {
  return (await p.usd.balanceOf(who)) + (await p.market.owedOf(await p.usd.getAddress(), who));
}
