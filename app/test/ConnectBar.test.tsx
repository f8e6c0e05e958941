import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { WagmiProvider } from "wagmi";
import { parseRigelConfig } from "../src/chain/rigelConfig";
import { createWagmiConfig } from "../src/chain/wagmiConfig";
import { ConnectBar } from "../src/components/ConnectBar";
import { TxStatus } from "../src/components/TxStatus";
import { RigelContext } from "../src/RigelContext";

const A = "0x00000000000000000000000000000000000000a1";
const deployment = {
  chainId: 31337,
  network: "localhost",
  deployer: A,
  block: 1,
  contracts: {
    ComputeToken: A,
    OracleCommittee: A,
    OperatorStaking: A,
    RewardsDistributor: A,
    JobMarket: A,
    TimelockController: A,
  },
  parameters: {},
};

function withProviders(node: ReactNode, rpcUrl: string) {
  const rigel = parseRigelConfig({ rpcUrl, deployment });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 0 } } });
  return (
    <RigelContext.Provider value={rigel}>
      <WagmiProvider config={createWagmiConfig(rigel)}>
        <QueryClientProvider client={queryClient}>{node}</QueryClientProvider>
      </WagmiProvider>
    </RigelContext.Provider>
  );
}

afterEach(() => {
  cleanup();
  delete (window as { ethereum?: unknown }).ethereum;
});

describe("ConnectBar", () => {
  it("says there is no wallet, and that the chain is unreachable, without breaking", async () => {
    render(withProviders(<ConnectBar />, "http://127.0.0.1:1"));
    expect(screen.getByTestId("no-wallet").textContent).toMatch(/No wallet found/);
    await waitFor(
      () =>
        expect(screen.getByTestId("chain-unreachable").textContent).toMatch(/unreachable at http:\/\/127\.0\.0\.1:1/),
      {
        timeout: 10_000,
      },
    );
  });

  it("offers to connect when an injected wallet is present", () => {
    (window as { ethereum?: unknown }).ethereum = { request: async () => [], on() {}, removeListener() {} };
    render(withProviders(<ConnectBar />, "http://127.0.0.1:1"));
    expect(screen.getByTestId("connect").textContent).toBe("Connect wallet");
  });
});

describe("TxStatus", () => {
  it("shows each state of a transaction", () => {
    const hash = `0x${"ab".repeat(32)}` as const;
    const { rerender } = render(<TxStatus state={{ status: "signing", label: "Stake" }} />);
    expect(screen.getByTestId("tx-status").textContent).toBe("Stake: confirm in your wallet…");
    rerender(<TxStatus state={{ status: "pending", label: "Stake", hash }} />);
    expect(screen.getByTestId("tx-status").textContent).toBe("Stake: pending (0xabab…abab)…");
    rerender(<TxStatus state={{ status: "confirmed", label: "Stake", hash }} />);
    expect(screen.getByTestId("tx-status").textContent).toBe("Stake: confirmed (0xabab…abab).");
    rerender(
      <TxStatus
        state={{
          status: "failed",
          label: "Stake",
          error: { kind: "rejected", message: "You rejected the request in your wallet." },
        }}
      />,
    );
    expect(screen.getByTestId("tx-status").textContent).toBe("Stake failed: You rejected the request in your wallet.");
    expect(screen.getByRole("alert")).toBeTruthy();
  });

  it("refuses a rigel.json without a deployment", () => {
    expect(() => parseRigelConfig({ rpcUrl: "http://127.0.0.1:8545", deployment: null })).toThrow(/deploy first/);
    expect(() => parseRigelConfig({ rpcUrl: "ftp://x", deployment })).toThrow(/rpcUrl/);
  });
});
