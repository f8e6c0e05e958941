// ComputeToken (RGL): balances and supply rebuilt from `Transfer`, for the conservation check.
import { ponder } from "ponder:registry";
import { tokenBalance, tokenSupply } from "ponder:schema";
import { zeroAddress } from "viem";

ponder.on("ComputeToken:Transfer", async ({ event, context }) => {
  const { from, to, value } = event.args;
  if (from !== zeroAddress) {
    await context.db
      .insert(tokenBalance)
      .values({ account: from, balance: -value })
      .onConflictDoUpdate((row) => ({ balance: row.balance - value }));
  }
  if (to !== zeroAddress) {
    await context.db
      .insert(tokenBalance)
      .values({ account: to, balance: value })
      .onConflictDoUpdate((row) => ({ balance: row.balance + value }));
  }
  const minted = from === zeroAddress ? value : 0n;
  const burned = to === zeroAddress ? value : 0n;
  await context.db
    .insert(tokenSupply)
    .values({ id: "RGL", supply: minted - burned, minted, burned, transfers: 1 })
    .onConflictDoUpdate((row) => ({
      supply: row.supply + minted - burned,
      minted: row.minted + minted,
      burned: row.burned + burned,
      transfers: row.transfers + 1,
    }));
});
