import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { WagmiProvider, type CreateConnectorFn } from "wagmi";
import { parseRigelConfig } from "../src/chain/rigelConfig";
import { createWagmiConfig } from "../src/chain/wagmiConfig";
import { ConnectBar } from "../src/components/ConnectBar";
import { walletConnectConnectors } from "../src/lib/walletConnectConnectors";
import { RigelContext } from "../src/RigelContext";

const A = "0x00000000000000000000000000000000000000a1";
const PROJECT_ID = "0123456789abcdef0123456789abcdef";
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

function withProviders(node: ReactNode, extra: CreateConnectorFn[], rigelJson: Record<string, unknown> = {}) {
  const rigel = parseRigelConfig({ rpcUrl: "http://127.0.0.1:1", deployment, ...rigelJson });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 0 } } });
  return (
    <RigelContext.Provider value={rigel}>
      <WagmiProvider config={createWagmiConfig(rigel, extra)}>
        <QueryClientProvider client={queryClient}>{node}</QueryClientProvider>
      </WagmiProvider>
    </RigelContext.Provider>
  );
}

afterEach(() => {
  cleanup();
  delete (window as { ethereum?: unknown }).ethereum;
});

describe("WalletConnect in the connect bar (PROTOCOL §16.7)", () => {
  it("with a project id and no browser wallet: offers WalletConnect instead of 'No wallet found'", async () => {
    render(withProviders(<ConnectBar />, await walletConnectConnectors(PROJECT_ID)));
    expect(screen.getByTestId("connect-walletconnect").textContent).toBe("WalletConnect (phone wallet)");
    expect(screen.getByTestId("no-wallet").textContent).toMatch(/connect a phone wallet with WalletConnect/);
  });

  it("with a project id and a browser wallet: both", async () => {
    (window as { ethereum?: unknown }).ethereum = { request: async () => [], on() {}, removeListener() {} };
    render(withProviders(<ConnectBar />, await walletConnectConnectors(PROJECT_ID)));
    expect(screen.getByTestId("connect").textContent).toBe("Connect wallet");
    expect(screen.getByTestId("connect-walletconnect")).toBeTruthy();
  });

  it("without a project id: no WalletConnect button", async () => {
    (window as { ethereum?: unknown }).ethereum = { request: async () => [], on() {}, removeListener() {} };
    render(withProviders(<ConnectBar />, await walletConnectConnectors(undefined)));
    expect(screen.getByTestId("connect")).toBeTruthy();
    expect(screen.queryByTestId("connect-walletconnect")).toBeNull();
  });

  it("rigel.json: walletConnectProjectId is kept when well-formed and refused otherwise", () => {
    const base = { rpcUrl: "http://127.0.0.1:1", deployment };
    expect(parseRigelConfig({ ...base, walletConnectProjectId: PROJECT_ID }).walletConnectProjectId).toBe(PROJECT_ID);
    expect(parseRigelConfig(base).walletConnectProjectId).toBeUndefined();
    expect(() => parseRigelConfig({ ...base, walletConnectProjectId: "x" })).toThrow(/32 hex digits/);
  });
});
