// Runs `rigel job` (developer/cli main) in-process against the in-process Hardhat network and the
// protocol of protocolFixture, as one of Hardhat's default accounts, capturing stdout and stderr.
import hre from "hardhat";
import { custom, getAddress, toHex, type Address, type Transport } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { main } from "../../../developer/cli";
import type { JobCliDeps } from "../../../developer/connect";
import type { CliOutput } from "../../../sdk/cli/commands";
import type { Deployment } from "../../../sdk/contracts/deployments";
import type { Protocol } from "../../../fixtures/protocolFixture";

const MNEMONIC = "test test test test test test test test test test test junk";

/** The private key of Hardhat's default account `index` (devs[0] is 2, devs[1] is 3). */
export function hardhatKey(index: number): `0x${string}` {
  return toHex(mnemonicToAccount(MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);
}

export interface Captured extends CliOutput {
  results: string[];
  infos: string[];
  errors: string[];
}

export function capture(): Captured {
  const results: string[] = [];
  const infos: string[] = [];
  const errors: string[] = [];
  return {
    results,
    infos,
    errors,
    result: (t) => void results.push(t),
    info: (t) => void infos.push(t),
    error: (t) => void errors.push(t),
  };
}

export async function deploymentOfProtocol(p: Protocol): Promise<Deployment> {
  const at = async (c: { getAddress(): Promise<string> }) => getAddress(await c.getAddress()) as Address;
  return {
    chainId: 31337,
    network: "hardhat",
    deployer: p.admin.address as Address,
    block: 0n,
    contracts: {
      ComputeToken: await at(p.rgl),
      OracleCommittee: await at(p.committee),
      OperatorStaking: await at(p.staking),
      RewardsDistributor: await at(p.rewards),
      JobMarket: await at(p.market),
      TimelockController: p.admin.address as Address,
    },
    parameters: {},
  };
}

/**
 * A runner of `rigel job <argv> --key <account index's key>` returning the exit code and the output;
 * `transport` replaces the in-process network's (e.g. to fail a request).
 */
export async function jobCli(
  p: Protocol,
  transport: Transport = custom(hre.network.provider),
): Promise<(argv: string[], accountIndex: number) => Promise<{ code: number; out: Captured }>> {
  const deps: JobCliDeps = {
    transport,
    deployment: await deploymentOfProtocol(p),
    env: {},
    sleep: async () => undefined,
  };
  return async (argv, accountIndex) => {
    const out = capture();
    const code = await main([...argv, "--key", hardhatKey(accountIndex)], deps, out);
    return { code, out };
  };
}
