// Deploys the protocol onto a separate `hardhat node` (for multi-process tests), wired as
// protocolFixture wires it in-process, with the accounts of the default mnemonic:
// 0 admin, 1 treasury, 2 developer, 5 operator, 12-14 oracles (2-of-3).
import { ethers } from "hardhat";
import { NonceManager, type Contract, type JsonRpcProvider } from "ethers";
import { CAPACITY_TYPES } from "../../../fixtures/stakingFixture";
import { CAP, E18, GENESIS, PARAMS, USD_RATE } from "../../../fixtures/marketConstants";

const MNEMONIC = "test test test test test test test test test test test junk";

export interface NodeDeployment {
  chainId: number;
  block: number;
  deployer: string;
  contracts: Record<
    "ComputeToken" | "OracleCommittee" | "OperatorStaking" | "RewardsDistributor" | "JobMarket" | "TimelockController",
    string
  >;
  usd: string;
}

export const walletOf = (index: number, provider: JsonRpcProvider | null = null) =>
  ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).connect(provider);

export async function deployOnNode(url: string): Promise<NodeDeployment> {
  const provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 50 });
  // One NonceManager per account: ethers reads "pending" nonces through a short cache, which reuses a
  // nonce when transactions follow each other within milliseconds.
  const managers = new Map<number, NonceManager & { address: string }>();
  const w = (i: number) => {
    if (!managers.has(i)) {
      const wallet = walletOf(i, provider);
      managers.set(i, Object.assign(new NonceManager(wallet), { address: wallet.address }));
    }
    return managers.get(i)!;
  };
  const admin = w(0);
  const block = await provider.getBlockNumber();
  const deploy = async (name: string, args: unknown[]): Promise<Contract> => {
    const factory = await ethers.getContractFactory(name, admin);
    const c = await factory.deploy(...args);
    await c.waitForDeployment();
    return c as unknown as Contract;
  };
  const send = async (p: Promise<{ wait(): Promise<unknown> }>) => void (await (await p).wait());
  const rgl = await deploy("ComputeToken", [admin.address, admin.address, GENESIS, CAP]);
  const usd = await deploy("TestUSD", []);
  const committee = await deploy("OracleCommittee", [
    await rgl.getAddress(),
    admin.address,
    2,
    1_000n * E18,
    1_000,
    86_400,
  ]);
  const staking = await deploy("OperatorStaking", [
    await rgl.getAddress(),
    await committee.getAddress(),
    admin.address,
    120,
    3_600,
    60,
    E18,
  ]);
  const rewards = await deploy("RewardsDistributor", [
    admin.address,
    await rgl.getAddress(),
    await staking.getAddress(),
    {
      genesis: 0,
      epochLength: 60n,
      initialEmission: 1_000n * E18,
      decayBps: 100,
      workShareBps: 7_000n,
      workRewardCapBps: 5_000n,
    },
  ]);
  const market = await deploy("JobMarket", [
    admin.address,
    await rgl.getAddress(),
    await staking.getAddress(),
    await committee.getAddress(),
    await rewards.getAddress(),
    { treasury: w(1).address, ...PARAMS },
  ]);
  const m = await market.getAddress();
  const rd = await rewards.getAddress();
  await send(rgl.grantRole(await rgl.MINTER_ROLE(), rd));
  await send(staking.grantRole(await staking.MARKET_ROLE(), m));
  await send(staking.grantRole(await staking.SLASHER_ROLE(), m));
  await send(staking.grantRole(await staking.REWARDER_ROLE(), rd));
  await send(staking.setCapacityListener(rd));
  await send(rewards.grantRole(await rewards.MARKET_ROLE(), m));
  await send(market.setPaymentToken(await usd.getAddress(), true, USD_RATE));
  const oracles = [12, 13, 14].map((i) => w(i)).sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  for (const o of oracles) {
    await send(rgl.transfer(o.address, 10_000n * E18));
    await send(committee.approveSigner(o.address));
    await send((rgl.connect(o) as Contract).approve(await committee.getAddress(), ethers.MaxUint256));
    await send((committee.connect(o) as Contract).postBond());
  }
  const dev = w(2);
  await send(usd.mint(dev.address, 10n ** 15n));
  await send((usd.connect(dev) as Contract).approve(m, ethers.MaxUint256));
  const op = w(5);
  await send(rgl.transfer(op.address, 1_000_000n * E18));
  await send((rgl.connect(op) as Contract).approve(await staking.getAddress(), ethers.MaxUint256));
  await send((staking.connect(op) as Contract).register("data:,agent", 1_000));
  await send((staking.connect(op) as Contract).stake(100_000n * E18));
  const chainId = Number((await provider.getNetwork()).chainId);
  const latest = (await provider.getBlock("latest"))!.timestamp;
  const att = {
    operator: op.address,
    challengeId: ethers.id(`genesis-${op.address}`),
    opsPerSec: 50_000_000_000_000n,
    vramMiB: 24_576,
    gpuModel: ethers.encodeBytes32String("RTX 4090"),
    validUntil: BigInt(latest) + 7n * 86_400n, // the oracles' capacity validity; the committee refuses longer (PROTOCOL §7.2)
  };
  const domain = { name: "Rigel", version: "1", chainId, verifyingContract: await committee.getAddress() };
  const sigs = await Promise.all(oracles.slice(0, 2).map((o) => o.signTypedData(domain, CAPACITY_TYPES, att)));
  await send(staking.recordCapacity(att, sigs));
  return {
    chainId,
    block,
    deployer: admin.address,
    contracts: {
      ComputeToken: await rgl.getAddress(),
      OracleCommittee: await committee.getAddress(),
      OperatorStaking: await staking.getAddress(),
      RewardsDistributor: rd,
      JobMarket: m,
      TimelockController: await committee.getAddress(),
    },
    usd: await usd.getAddress(),
  };
}
