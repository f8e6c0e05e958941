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
import {
  ChainReadError,
  confirmationsFor,
  CURSOR_MIGRATION,
  LogFollower,
  sqliteCursorStore,
  type CursorStore,
} from "../../../sdk/chain/logFollower";

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

  describe("reorgs and confirmations (PROTOCOL §18.4)", () => {
    const request = network.provider.request.bind(network.provider) as EIP1193RequestFn;
    type Seen = Map<string, bigint>;
    /** An idempotent handler: one entry per (block, log index), the last delivery wins. */
    const follower = (token: { target: unknown }, cursor: CursorStore, start: bigint, seen: Seen, over = {}) =>
      new LogFollower({
        name: "token",
        client: clientFor(request),
        address: token.target as `0x${string}`,
        events,
        cursor,
        startBlock: start,
        maxRange: 1n,
        onLogs: async (logs: Log[]) => {
          for (const l of logs)
            seen.set(`${l.blockNumber}:${l.logIndex}`, (l as unknown as { args: { value: bigint } }).args.value);
        },
        ...over,
      });
    const values = (seen: Seen) => [...seen.values()].sort((a, b) => Number(a - b));

    it("regression (0 confirmations, no reorg check): after evm_revert and other blocks at the same heights, the new branch's logs are handed over, also after a restart", async () => {
      const { token, admin, a, start } = await setup();
      const cursor = sqliteCursorStore(openDatabase({ file: ":memory:", migrations: [] }));
      const seen: Seen = new Map();
      const reorgs: { from: bigint; to: bigint }[] = [];
      await token.connect(admin).transfer(a.address, 1n);
      const fork = BigInt(await ethers.provider.getBlockNumber());
      const snapshot = await network.provider.request({ method: "evm_snapshot" });
      await token.connect(admin).transfer(a.address, 2n);
      await token.connect(admin).transfer(a.address, 3n);
      const first = follower(token, cursor, start, seen);
      expect(await first.poll()).to.equal(3);
      expect(values(seen)).to.deep.equal([1n, 2n, 3n]);
      // The old branch goes; the new one has other transfers at the same two heights.
      await network.provider.request({ method: "evm_revert", params: [snapshot] });
      await token.connect(admin).transfer(a.address, 4n);
      await token.connect(admin).transfer(a.address, 5n);
      const restarted = follower(token, cursor, start, seen, {
        onReorg: (r: { from: bigint; to: bigint }) => reorgs.push(r),
      });
      expect(await restarted.poll()).to.equal(2);
      expect(reorgs).to.deep.equal([{ from: fork + 2n, to: fork }]);
      expect(values(seen)).to.deep.equal([1n, 4n, 5n]);
      // A longer new branch, seen by the running follower.
      const again = await network.provider.request({ method: "evm_snapshot" });
      await token.connect(admin).transfer(a.address, 6n);
      expect(await restarted.poll()).to.equal(1);
      await network.provider.request({ method: "evm_revert", params: [again] });
      await token.connect(admin).transfer(a.address, 7n);
      await token.connect(admin).transfer(a.address, 8n);
      expect(await restarted.poll()).to.equal(2);
      expect(restarted.reorgs).to.equal(2);
      expect(values(seen)).to.deep.equal([1n, 4n, 5n, 7n, 8n]);
      expect(await restarted.poll()).to.equal(0);
    });

    it("with confirmations N it never hands over a block within N of the head, and catches up as blocks come", async () => {
      const { token, admin, a, start } = await setup();
      const cursor = sqliteCursorStore(openDatabase({ file: ":memory:", migrations: [] }));
      const seen: Seen = new Map();
      let newest = 0n;
      const lagging = new LogFollower({
        name: "token",
        client: clientFor(request),
        address: token.target as `0x${string}`,
        events,
        cursor,
        startBlock: start,
        confirmations: 3n,
        onLogs: async (logs, range) => {
          const head = BigInt(await ethers.provider.getBlockNumber());
          expect(range.to).to.be.at.most(head - 3n);
          for (const l of logs) {
            expect(l.blockNumber!).to.be.at.most(head - 3n);
            seen.set(`${l.blockNumber}:${l.logIndex}`, 0n);
          }
          newest = range.to;
        },
      });
      for (let i = 1n; i <= 5n; i++) await token.connect(admin).transfer(a.address, i);
      expect(await lagging.poll()).to.equal(2);
      expect(newest).to.equal(BigInt(await ethers.provider.getBlockNumber()) - 3n);
      await network.provider.request({ method: "hardhat_mine", params: ["0x3"] });
      expect(await lagging.poll()).to.equal(3);
      expect(seen.size).to.equal(5);
    });

    it("auto confirmations are 0 on the dev chain 31337 and 3 elsewhere; a set value is kept", () => {
      expect(confirmationsFor(-1, 31337)).to.equal(0n);
      expect(confirmationsFor(-1, 1)).to.equal(3n);
      expect(confirmationsFor(5, 31337)).to.equal(5n);
      expect(confirmationsFor(0, 8453)).to.equal(0n);
    });

    it("opens a database whose cursors table predates the block hashes: the cursor is kept, hashes start being recorded", async () => {
      const db = openDatabase({ file: ":memory:", migrations: [] });
      db.exec(CURSOR_MIGRATION);
      db.prepare("INSERT INTO cursors (name, block) VALUES ('old', '42')").run();
      const cursor = sqliteCursorStore(db);
      expect(cursor.get("old")).to.equal(42n);
      expect(cursor.recent!("old")).to.deep.equal([]);
      cursor.set("old", 43n, `0x${"ab".repeat(32)}`);
      cursor.set("old", 44n, `0x${"cd".repeat(32)}`);
      expect(cursor.recent!("old").map((h) => h.block)).to.deep.equal([44n, 43n]);
      cursor.set("old", 43n, `0x${"ef".repeat(32)}`); // moved back: 44's hash is forgotten
      expect(cursor.recent!("old")).to.deep.equal([{ block: 43n, hash: `0x${"ef".repeat(32)}` }]);
      expect(sqliteCursorStore(db).get("old")).to.equal(43n);
    });
  });
});
