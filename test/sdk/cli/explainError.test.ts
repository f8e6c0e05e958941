import { expect } from "chai";
import net from "node:net";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  custom,
  encodeErrorResult,
  erc20Abi,
  http,
  parseEther,
  type Address,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { explainError } from "../../../sdk/cli/explainError";
import { runCli } from "../../../sdk/cli/runCli";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi } from "../../../sdk/contracts/abis";
import { KeystoreError } from "../../../sdk/keystore/keystore";
import { RigelError } from "../../../sdk/errors/RigelError";
import { deployProtocol } from "../../../fixtures/protocolFixture";

const E18 = 10n ** 18n;
const ALICE = "0x1234567890AbcdEF1234567890aBcdef12345678" as Address;

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("sdk/cli/explainError", () => {
  it("decodes custom errors of every Rigel ABI from raw revert data into a sentence", () => {
    const balance = encodeErrorResult({
      abi: computeTokenAbi,
      errorName: "ERC20InsufficientBalance",
      args: [ALICE, 5n * E18, 100n * E18],
    });
    expect(balance.slice(0, 10)).to.equal("0xe450d38c");
    expect(explainError({ data: balance })).to.deep.include({
      message: "not enough RGL: 0x1234…5678 has 5 RGL, needs 100 RGL",
      code: "ERC20InsufficientBalance",
    });
    const stake = encodeErrorResult({
      abi: jobMarketAbi,
      errorName: "MarketInsufficientStake",
      args: [ALICE, 10n * E18, 300n * E18],
    });
    expect(explainError(new Error("reverted", { cause: { data: stake } })).message).to.equal(
      "operator 0x1234…5678 has 10 RGL of free stake, 300 RGL is needed",
    );
    // An error with no sentence of its own is named with its arguments.
    const thaw = encodeErrorResult({ abi: operatorStakingAbi, errorName: "StakingThawSlotsFull", args: [5n, 7n] });
    expect(explainError({ data: thaw }).message).to.equal("the contract refused: StakingThawSlotsFull(5, 7)");
  });

  it("turns a real revert of a transfer without RGL (in-process chain) into 'not enough RGL'", async () => {
    const p = await loadFixture(deployProtocol);
    const broke = (await ethers.getSigners())[16]; // holds ETH, never got RGL
    const publicClient = createPublicClient({ chain: hardhat, transport: custom(hre.network.provider) });
    // erc20Abi has no custom errors: viem cannot decode the revert by itself (the dump).
    const err = await publicClient
      .simulateContract({
        address: (await p.rgl.getAddress()) as Address,
        abi: erc20Abi,
        functionName: "transfer",
        args: [ALICE, 100n * E18],
        account: broke.address as Address,
      })
      .catch((e: unknown) => e);
    expect(String((err as Error).message)).to.contain("An unknown RPC error occurred");
    const explained = explainError(err);
    expect(explained.message).to.match(/^not enough RGL: 0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4} has 0 RGL, needs 100 RGL$/);
    expect(explained.hint).to.be.a("string");
  });

  it("turns viem's 'Unable to decode signature 0xe450d38c' (the issue's dump, over HTTP) into 'not enough RGL'", () => {
    const data = encodeErrorResult({
      abi: computeTokenAbi,
      errorName: "ERC20InsufficientBalance",
      args: [ALICE, 0n, 7n * E18],
    });
    const err = new ContractFunctionRevertedError({ abi: erc20Abi, data, functionName: "transfer" });
    expect(err.message).to.contain('Unable to decode signature "0xe450d38c"');
    expect(explainError(err).message).to.equal("not enough RGL: 0x1234…5678 has 0 RGL, needs 7 RGL");
  });

  it("says 'this account has no ETH for gas' for a real send from an empty account", async () => {
    await loadFixture(deployProtocol);
    const account = privateKeyToAccount(generatePrivateKey());
    const wallet = createWalletClient({ account, chain: hardhat, transport: custom(hre.network.provider) });
    const err = await wallet.sendTransaction({ to: ALICE, value: parseEther("1") }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect(explainError(err)).to.deep.include({
      message: `this account (${account.address}) has no ETH for gas`,
      code: "CLI_NO_GAS",
    });
  });

  it("says 'no chain answers at URL' when nothing listens on the RPC port", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
    const err = await client.getChainId().catch((e: unknown) => e);
    const explained = explainError(err);
    expect(explained.message).to.equal(`no chain answers at ${url}`);
    expect(explained.hint).to.contain("--rpc");
  });

  it("explains keystore errors and keeps a wrapping Rigel error's words", () => {
    expect(
      explainError(new KeystoreError("KEYSTORE_BAD_PASSWORD", "wrong password for this keystore")),
    ).to.deep.include({ message: "wrong password for this keystore", code: "KEYSTORE_BAD_PASSWORD" });
    const data = encodeErrorResult({ abi: jobMarketAbi, errorName: "MarketNothingOwed", args: [ALICE, ALICE] });
    const wrapped = new RigelError("RIGEL_WITHDRAW", "withdraw failed", { cause: { data } });
    expect(explainError(wrapped).message).to.equal(
      "withdraw failed: the market owes 0x1234…5678 nothing in token 0x1234…5678",
    );
  });
});

describe("sdk/cli/runCli", () => {
  function capture() {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return {
      stdout,
      stderr,
      result: (t: string) => stdout.push(t),
      info: (t: string) => stderr.push(t),
      error: (t: string) => stderr.push(t),
    };
  }
  const failing = async () => {
    throw new RigelError("BOOM", "the thing failed", { cause: new Error("because") });
  };

  it("prints error: and hint:, exit 1, the stack only with --verbose, and a JSON error with --json", async () => {
    const plain = capture();
    expect(await runCli(failing, ["x"], { out: plain })).to.equal(1);
    expect(plain.stderr.join("\n")).to.contain("error: the thing failed: because").and.not.contain("    at ");
    const verbose = capture();
    let seen: string[] = [];
    expect(
      await runCli(
        async (argv) => {
          seen = argv;
          return failing();
        },
        ["x", "--verbose"],
        { out: verbose },
      ),
    ).to.equal(1);
    expect(seen).to.deep.equal(["x"]);
    expect(verbose.stderr.join("\n")).to.contain("    at ");
    const json = capture();
    expect(await runCli(failing, ["--json"], { out: json })).to.equal(1);
    expect(JSON.parse(json.stdout[0])).to.deep.equal({
      error: { code: "BOOM", message: "the thing failed: because", hint: null },
    });
  });
});
