import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ReactNode } from "react";
import type { Address } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { WagmiProvider } from "wagmi";
import { parseRigelConfig } from "../src/chain/rigelConfig";
import type { OwedRow } from "../src/chain/readOwed";
import { createWagmiConfig } from "../src/chain/wagmiConfig";
import { OwedTable, owedText } from "../src/components/OwedPanel";
import { RigelContext } from "../src/RigelContext";

const A = "0x00000000000000000000000000000000000000a1" as Address;
const RGL = "0x00000000000000000000000000000000000000c1" as Address;
const USD = "0x00000000000000000000000000000000000000c2" as Address;
const EUR = "0x00000000000000000000000000000000000000c3" as Address;
const DEV = "0x00000000000000000000000000000000000000d3" as Address;
const deployment = {
  chainId: 31337,
  network: "localhost",
  deployer: A,
  block: 1,
  contracts: {
    ComputeToken: RGL,
    OracleCommittee: A,
    OperatorStaking: A,
    RewardsDistributor: A,
    JobMarket: A,
    TimelockController: A,
  },
  parameters: {},
};

function withProviders(node: ReactNode) {
  const rigel = parseRigelConfig({ rpcUrl: "http://127.0.0.1:1", deployment });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 0 } } });
  return (
    <RigelContext.Provider value={rigel}>
      <WagmiProvider config={createWagmiConfig(rigel)}>
        <QueryClientProvider client={queryClient}>{node}</QueryClientProvider>
      </WagmiProvider>
    </RigelContext.Provider>
  );
}

const rows: OwedRow[] = [
  { token: RGL, symbol: "RGL", decimals: 18, owed: 0n },
  { token: USD, symbol: "tUSD", decimals: 6, owed: 1_500_000n },
  { token: EUR, symbol: "tEUR", decimals: 6, owed: 0n },
];

afterEach(cleanup);

describe("OwedTable: what the market owes the account, per token, with Withdraw", () => {
  it("shows RGL always and another token only when something is owed in it, in the token's own decimals", () => {
    render(withProviders(<OwedTable rows={rows} account={DEV} caption="Refunds of your jobs" />));
    expect(screen.getByTestId("owed").textContent).toContain("Refunds of your jobs");
    const rgl = screen.getByTestId("owed-RGL");
    expect(within(rgl).getByTestId("owed-amount").textContent).toBe("0 RGL");
    expect((within(rgl).getByTestId("withdraw-RGL") as HTMLButtonElement).disabled).toBe(true);
    const usd = screen.getByTestId("owed-tUSD");
    expect(within(usd).getByTestId("owed-amount").textContent).toBe("1.5 tUSD");
    expect(within(usd).getByTestId("owed-amount").getAttribute("title")).toBe("1500000 base units");
    expect((within(usd).getByTestId("withdraw-tUSD") as HTMLButtonElement).disabled).toBe(false);
    expect(screen.queryByTestId("owed-tEUR")).toBeNull();
  });

  it("a withdrawal without a connected wallet ends failed, with a sentence, and the button comes back", async () => {
    render(withProviders(<OwedTable rows={rows} account={DEV} caption="" />));
    const usd = screen.getByTestId("owed-tUSD");
    fireEvent.click(within(usd).getByTestId("withdraw-tUSD"));
    await waitFor(() => expect(within(usd).getByTestId("tx-status").textContent).toMatch(/failed/), {
      timeout: 10_000,
    });
    expect(within(usd).getByTestId("tx-status").textContent).toBe(
      "Withdraw 1.5 tUSD failed: Your wallet is not connected: connect it and try again.",
    );
    expect((within(usd).getByTestId("withdraw-tUSD") as HTMLButtonElement).disabled).toBe(false);
  });

  it("owedText cuts to 6 decimals and marks a dust amount", () => {
    expect(owedText({ owed: 1_950_000_000_000_000_000n, symbol: "RGL", decimals: 18 })).toBe("1.95 RGL");
    expect(owedText({ owed: 1_234_567_891n, symbol: "tUSD", decimals: 6 })).toBe("1,234.567891 tUSD");
    expect(owedText({ owed: 1n, symbol: "RGL", decimals: 18 })).toBe("<0.000001 RGL");
  });
});
