import { expect } from "chai";
import { ethers, network } from "hardhat";
import {
  createPublicClient,
  custom,
  getAbiItem,
  type EIP1193RequestFn,
  type Log,
  type PublicClient,
  type Transport,
} from "viem";
import { hardhat } from "viem/chains";
import { computeTokenAbi } from "../../../sdk/contracts/abis";
import { openDatabase } from "../../../sdk/db/openDatabase";
import { ChainReadError, LogFollower, sqliteCursorStore } from "../../../sdk/chain/logFollower";

const events = [getAbiItem({ abi: computeTokenAbi, name: "Transfer" })];

function clientFor(request: EIP1193RequestFn): PublicClient {
  return createPublicClient({ chain: hardhat, transport: custom({ request }) as Transport }) as PublicClient;
}

describe("sdk/chain/LogFollower", () => {
  async function setup() {
    const [admin, a, b] = await ethers.getSigners();
    const token = await ethers.deployContract("ComputeToken", [admin.address, admin.address, 10n ** 24n, 10n ** 27n]);
    const start = BigInt(await ethers.provider.getBlockNumber()) + 1n; // after the genesis mint
    return { token, admin, a, b, start };
  }

  it("reads new logs in order, resumes from its cursor after a restart, and skips nothing", async () => {
    const { token, admin, a, b, start } = await setup();
    const db = openDatabase({ file: ":memory:", migrations: [] });
    const cursor = sqliteCursorStore(db);
    const seen: bigint[] = [];
    const make = () =>
      new LogFollower({
        name: "token",
        client: clientFor(network.provider.request.bind(network.provider) as EIP1193RequestFn),
        address: token.target as `0x${string}`,
        events,
        cursor,
        startBlock: start,
        maxRange: 2n,
        onLogs: async (logs: Log[]) => {
          for (const l of logs) seen.push((l as unknown as { args: { value: bigint } }).args.value);
        },
      });
    await token.connect(admin).transfer(a.address, 1n);
    await token.connect(admin).transfer(b.address, 2n);
    await token.connect(admin).transfer(a.address, 3n);
    const first = make();
    expect(await first.poll()).to.equal(3);
    await token.connect(admin).transfer(b.address, 4n);
    await token.connect(admin).transfer(b.address, 5n);
    const restarted = make();
    expect(await restarted.poll()).to.equal(2);
    expect(await restarted.poll()).to.equal(0);
    expect(seen).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
  });

  it("leaves the cursor in place when the RPC fails or the handler throws, then catches up", async () => {
    const { token, admin, a, start } = await setup();
    const cursor = sqliteCursorStore(openDatabase({ file: ":memory:", migrations: [] }));
    let rpcDown = false;
    let handlerFails = true;
    const seen: number[] = [];
    const request = (async (args: { method: string; params?: unknown }) => {
      if (rpcDown) throw new Error("connection refused");
      return network.provider.request(args as { method: string; params?: unknown[] });
    }) as EIP1193RequestFn;
    const follower = new LogFollower({
      name: "t",
      client: clientFor(request),
      address: token.target as `0x${string}`,
      events,
      cursor,
      startBlock: start,
      onLogs: async (logs) => {
        if (handlerFails) throw new Error("db busy");
        seen.push(logs.length);
      },
    });
    await token.connect(admin).transfer(a.address, 1n);
    rpcDown = true;
    let err: unknown;
    await follower.poll().catch((e) => (err = e));
    expect(err).to.be.instanceOf(ChainReadError);
    expect((err as ChainReadError).code).to.equal("RPC_UNAVAILABLE");
    rpcDown = false;
    await follower.poll().catch(() => {});
    expect(cursor.get("t")).to.equal(undefined);
    handlerFails = false;
    expect(await follower.poll()).to.equal(1);
    expect(seen).to.deep.equal([1]);
    expect(cursor.get("t")).to.equal(BigInt(await ethers.provider.getBlockNumber()));
  });
});
