import type { Address, Hex, PublicClient } from "viem";
import { LogFollower, type CursorStore } from "../../sdk/chain/logFollower";
import { operatorStakingAbi } from "../../sdk/contracts/abis";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";
import type { Logger } from "../../sdk/log/createLogger";
import { operatorRegisteredEvent } from "../../sdk/market/events";
import type { CapacityService } from "./capacityService";

/** Most operators challenged per round (a bounded loop; the rest wait for the next round). */
export const MAX_OPERATORS_PER_ROUND = 256;
/** The claim used for an operator without a capacity record: sizes the smallest challenge. */
const DEFAULT_CLAIM = 1_000_000_000n;

/**
 * Capacity rounds (PROTOCOL §13.2): at random times (uniform in [0.5, 1.5] × the mean interval) this
 * node, as coordinator, issues a challenge to every registered operator at once, sized to the
 * operator's attested capacity. Registered operators come from OperatorStaking's
 * `OperatorRegistered` logs (sdk LogFollower, persisted cursor).
 */
export class CapacityRounds {
  private readonly follower: LogFollower;
  private readonly insert;
  private readonly page;
  private nextRoundAt: number;

  constructor(
    private readonly p: {
      db: SqliteDatabase;
      client: PublicClient;
      staking: Address;
      cursor: CursorStore;
      startBlock: bigint;
      capacity: CapacityService;
      meanIntervalSec: number;
      logger: Logger;
      now?: () => number;
      random?: () => number;
      /** Blocks the registration follower stays behind the head (PROTOCOL §18.4). */
      confirmations?: bigint;
    },
  ) {
    this.insert = p.db.prepare(
      "INSERT INTO operators (address, seq) VALUES (?, (SELECT COUNT(*) FROM operators)) ON CONFLICT DO NOTHING",
    );
    this.page = p.db.prepare<[number], { address: Address }>("SELECT address FROM operators ORDER BY seq LIMIT ?");
    this.follower = new LogFollower({
      name: `oracle-operators-${p.staking.toLowerCase()}`,
      client: p.client,
      address: p.staking,
      events: [operatorRegisteredEvent],
      cursor: p.cursor,
      startBlock: p.startBlock,
      confirmations: p.confirmations,
      onLogs: async (logs) => {
        for (const log of logs as unknown as { args: { operator: Address } }[]) this.insert.run(log.args.operator);
      },
    });
    this.nextRoundAt = this.now() + this.interval();
  }

  private now(): number {
    return (this.p.now ?? Date.now)();
  }

  private interval(): number {
    return Math.floor(this.p.meanIntervalSec * 1000 * (0.5 + (this.p.random ?? Math.random)()));
  }

  /** One main-loop pass: follow registrations; run a round when its random time has come. Returns the challenges issued. */
  async tick(force = false): Promise<number> {
    await this.follower.poll();
    if (!force && this.now() < this.nextRoundAt) return 0;
    this.nextRoundAt = this.now() + this.interval();
    const round = BigInt(this.now());
    let issued = 0;
    for (const { address } of this.page.all(MAX_OPERATORS_PER_ROUND)) {
      const record = await this.p.client.readContract({
        address: this.p.staking,
        abi: operatorStakingAbi,
        functionName: "capacityOf",
        args: [address],
      });
      const claimed = record.opsPerSec > 0n ? record.opsPerSec : DEFAULT_CLAIM;
      await this.p.capacity.issue(
        {
          operator: address,
          claimedOpsPerSec: claimed.toString(),
          vramMiB: record.vramMiB,
          gpuModel: record.gpuModel as Hex,
        },
        round,
      );
      issued++;
    }
    this.p.logger.info({ round: round.toString(), issued }, "capacity round issued");
    return issued;
  }
}
