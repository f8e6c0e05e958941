import { expect } from "chai";
import type { PublicClient } from "viem";
import { PlannerInputError } from "../../../sdk/planner/errors";
import { shardCollateral } from "../../../sdk/planner/shardCollateral";

const MARKET = "0x00000000000000000000000000000000000000a1";
const TOKEN = "0x00000000000000000000000000000000000000b2";

/** A client answering JobMarket `params` and `paymentToken(token)` with the given figures. */
function marketClient(collateralRatioBps: number, allowed: boolean, rglPerToken: bigint): PublicClient {
  return {
    readContract: async ({ functionName }: { functionName: string }) =>
      functionName === "params" ? { collateralRatioBps } : { allowed, rglPerToken },
  } as unknown as PublicClient;
}

describe("sdk/planner/shardCollateral", () => {
  it("is ⌈maxUnits·maxPrice·ratio/10^4·rglPerToken/10^18⌉ (MarketMath.collateral)", async () => {
    const E18 = 10n ** 18n;
    // 3 units × 2 RGL at 150%: 9 RGL.
    expect(
      await shardCollateral(marketClient(15_000, true, E18), {
        market: MARKET,
        paymentToken: TOKEN,
        maxUnits: 3n,
        maxPrice: 2n * E18,
      }),
    ).to.equal(9n * E18);
    // 1 unit × 1 base unit at 150%, 0.5 RGL per token: 0.75 base units → rounds up to 1.
    expect(
      await shardCollateral(marketClient(15_000, true, E18 / 2n), {
        market: MARKET,
        paymentToken: TOKEN,
        maxUnits: 1n,
        maxPrice: 1n,
      }),
    ).to.equal(1n);
  });

  it("refuses a payment token the market does not allow", async () => {
    const err = await shardCollateral(marketClient(15_000, false, 0n), {
      market: MARKET,
      paymentToken: TOKEN,
      maxUnits: 1n,
      maxPrice: 1n,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PlannerInputError);
    expect((err as Error).message).to.equal(`payment token ${TOKEN} is not allowlisted by the market`);
  });
});
