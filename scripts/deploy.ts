// Deploys the protocol with the Ignition module of a profile and writes deployments/<chainId>.json,
// which the sdk reads (docs/DEPLOYMENT.md). Usage:
//   npx hardhat run scripts/deploy.ts --network localhost
//   RIGEL_IGNITION_PARAMETERS=ignition/parameters/dev.json npx hardhat run scripts/deploy.ts --network external
//   RIGEL_PROFILE=production RIGEL_IGNITION_PARAMETERS=ignition/parameters/production.json \
//     npx hardhat run scripts/deploy.ts --network external
// RIGEL_PROFILE=dev (default) deploys ignition/modules/Rigel.ts; production deploys
// RigelProduction.ts after checking its parameters (a governance contract, a genesis recipient, a
// delay of at least 2 days). Either way the script then reads every role ever granted to the
// deployer from the chain's RoleGranted logs and fails if it still holds one (dev: except the
// timelock's proposer and canceller roles).
// On the dev chain (31337) Ignition's journal lives under a deployment id of this process only and
// is removed afterwards: the chain is ephemeral, and deploys to several local nodes may run at once.
// RIGEL_DEPLOYMENT_FILE=path: write the record there instead of deployments/<chainId>.json.
// RIGEL_DEPLOYMENTS_DIR=dir: write <dir>/<chainId>.json instead (when no file is given).
// RIGEL_ORACLE_SIGNERS=0xA,0xB,0xC: approve these committee signers through the timelock (the
// deployer is its proposer on the dev chain; with a zero delay the operations execute at once).
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import RigelModule, { DEV_DEFAULTS } from "../ignition/modules/Rigel";
import RigelProductionModule, { PRODUCTION_DEFAULTS } from "../ignition/modules/RigelProduction";
import { checkProductionParameters } from "./lib/checkProductionParameters";
import { rolesHeldBy } from "./lib/rolesHeldBy";

const DEV_CHAIN_ID = 31337n;

/** The two deployment profiles (docs/DEPLOYMENT.md). */
const PROFILES = {
  dev: { module: RigelModule, key: "Rigel", defaults: DEV_DEFAULTS, parameters: undefined },
  production: {
    module: RigelProductionModule,
    key: "RigelProduction",
    defaults: PRODUCTION_DEFAULTS,
    parameters: "ignition/parameters/production.json",
  },
} as const;
type ProfileName = keyof typeof PROFILES;

function profileName(): ProfileName {
  const name = process.env.RIGEL_PROFILE ?? "dev";
  if (name !== "dev" && name !== "production") throw new Error(`RIGEL_PROFILE must be dev or production, got ${name}`);
  return name;
}

async function main(): Promise<void> {
  const { ethers } = hre;
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const root = path.resolve(__dirname, "..");
  const devDeploymentId = chainId === DEV_CHAIN_ID ? `dev-${process.pid}-${Date.now()}` : undefined;
  try {
    await deploy(root, chainId, devDeploymentId);
  } finally {
    if (devDeploymentId) {
      fs.rmSync(path.join(root, "ignition", "deployments", devDeploymentId), { recursive: true, force: true });
    }
  }
}

async function deploy(root: string, chainId: bigint, deploymentId: string | undefined): Promise<void> {
  const { ethers, ignition } = hre;
  const profileKey = profileName();
  const profile = PROFILES[profileKey];
  const paramsFile = process.env.RIGEL_IGNITION_PARAMETERS ?? profile.parameters;
  const overrides: Record<string, unknown> = paramsFile
    ? (JSON.parse(fs.readFileSync(path.resolve(root, paramsFile), "utf8"))[profile.key] ?? {})
    : {};
  const signers = (process.env.RIGEL_ORACLE_SIGNERS ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  if (profileKey === "production") {
    // Signers are approved by governance proposals; the deployer has no timelock role to do it.
    if (signers.length > 0) throw new Error("RIGEL_ORACLE_SIGNERS is for the dev profile only");
    await checkProductionParameters(overrides, (address) => ethers.provider.getCode(address));
  }
  const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
  const [deployer] = await ethers.getSigners();

  const deployed = await ignition.deploy(profile.module, {
    parameters: { [profile.key]: overrides as Record<string, never> },
    displayUi: false,
    ...(deploymentId ? { deploymentId } : {}),
  });
  const addresses: Record<string, string> = {};
  for (const [name, contract] of Object.entries(deployed)) addresses[name] = await contract.getAddress();

  await checkDeployerRoles(addresses, deployer.address, fromBlock, profileKey);
  if (signers.length > 0) await approveSigners(addresses.timelock, addresses.committee, signers);

  const parameters = Object.fromEntries(
    Object.entries({ ...profile.defaults, ...overrides }).map(([k, v]) => [k, String(v)]),
  );
  const record = {
    chainId: Number(chainId),
    network: hre.network.name,
    profile: profileKey,
    deployer: deployer.address,
    block: fromBlock,
    toBlock: await ethers.provider.getBlockNumber(),
    deployedAt: new Date().toISOString(),
    contracts: {
      ComputeToken: addresses.rgl,
      OracleCommittee: addresses.committee,
      OperatorStaking: addresses.staking,
      RewardsDistributor: addresses.rewards,
      JobMarket: addresses.market,
      TimelockController: addresses.timelock,
    },
    parameters,
  };
  if (hre.network.name === "hardhat") {
    console.log("in-process network: deployments/ left untouched");
    return;
  }
  // RIGEL_DEPLOYMENT_FILE writes the record elsewhere (tests that must not replace a running demo's).
  const out = process.env.RIGEL_DEPLOYMENT_FILE
    ? path.resolve(root, process.env.RIGEL_DEPLOYMENT_FILE)
    : path.join(path.resolve(root, process.env.RIGEL_DEPLOYMENTS_DIR ?? "deployments"), `${chainId}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(record, null, 2) + "\n");
  console.log(`deployed Rigel to chain ${chainId} (blocks ${record.block}..${record.toBlock})`);
  for (const [name, address] of Object.entries(record.contracts)) console.log(`  ${name.padEnd(20)} ${address}`);
  console.log(`wrote ${path.relative(root, out)}`);
}

/**
 * Fails unless the deployer holds no role left on any contract (the dev profile keeps the timelock's
 * proposer and canceller roles, so that the demo can govern through the timelock).
 */
async function checkDeployerRoles(
  addresses: Record<string, string>,
  deployer: string,
  fromBlock: number,
  profile: ProfileName,
): Promise<void> {
  const { ethers } = hre;
  const timelock = await ethers.getContractAt("TimelockController", addresses.timelock);
  const devKeeps = new Set([await timelock.PROPOSER_ROLE(), await timelock.CANCELLER_ROLE()]);
  const held = (await rolesHeldBy(ethers.provider, addresses, deployer, fromBlock)).filter(
    (r) => !(profile === "dev" && r.contract === "timelock" && devKeeps.has(r.role)),
  );
  if (held.length > 0) {
    const list = held.map((r) => `${r.contract} ${r.role}`).join(", ");
    throw new Error(`the deployer ${deployer} still holds roles after deployment: ${list}`);
  }
  console.log(
    `deployer ${deployer} holds ${profile === "dev" ? "only the timelock's proposer and canceller roles" : "no role"}`,
  );
}

/** Schedules (and, with a zero delay, executes) `approveSigner` for each address via the timelock. */
async function approveSigners(timelockAddress: string, committeeAddress: string, signers: string[]): Promise<void> {
  const { ethers } = hre;
  const timelock = await ethers.getContractAt("TimelockController", timelockAddress);
  const committee = await ethers.getContractAt("OracleCommittee", committeeAddress);
  const delay = await timelock.getMinDelay();
  for (const signer of signers) {
    const data = committee.interface.encodeFunctionData("approveSigner", [ethers.getAddress(signer)]);
    const salt = ethers.id(`approveSigner:${signer}`);
    await (await timelock.schedule(committeeAddress, 0, data, ethers.ZeroHash, salt, delay)).wait();
    if (delay === 0n) {
      await (await timelock.execute(committeeAddress, 0, data, ethers.ZeroHash, salt)).wait();
      console.log(`  approved oracle signer ${signer} (it must still post its bond)`);
    } else {
      console.log(`  scheduled approveSigner(${signer}); execute it after ${delay} s`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
