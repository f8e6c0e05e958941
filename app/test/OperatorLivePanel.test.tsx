import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import type { Address } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseRigelConfig } from "../src/chain/rigelConfig";
import { OperatorLivePanel } from "../src/components/OperatorLivePanel";
import { RigelContext } from "../src/RigelContext";

const OP = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" as Address;
const A = "0x00000000000000000000000000000000000000a1";
const deployment = {
  chainId: 31337,
  network: "localhost",
  deployer: A,
  block: 1,
  contracts: Object.fromEntries(
    ["ComputeToken", "OracleCommittee", "OperatorStaking", "RewardsDistributor", "JobMarket", "TimelockController"].map(
      (name) => [name, A],
    ),
  ),
  parameters: {},
};

/** The oracle received the heartbeat `age` seconds before its clock's now. */
function oracleAnswer(age: number) {
  const now = Math.floor(Date.now() / 1000);
  return {
    now,
    operators: {
      [OP]: {
        operator: OP,
        agentVersion: "1.2.3",
        sentAt: now - age,
        online: true,
        gpus: [{ index: 0, model: "RTX 4090", vramMiB: 24576, utilisationPct: 87 }],
        shardsInFlight: [{ jobId: "12", shard: 3, phase: "computing" }],
        recentFailures: [
          { jobId: "9", shard: 0, at: now - 600, code: "OOM", reason: "the container ran out of memory" },
        ],
        acceptingWork: false,
        declineReasons: ["all GPUs busy"],
        receivedAt: now - age,
      },
    },
  };
}

function renderPanel(age: number) {
  vi.stubGlobal("fetch", async () => new Response(JSON.stringify(oracleAnswer(age)), { status: 200 }));
  const rigel = parseRigelConfig({ rpcUrl: "http://127.0.0.1:1", oracleUrls: ["http://oracle.test"], deployment });
  render(
    <RigelContext.Provider value={{ ...rigel, livenessWindowSec: 30 }}>
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: 0 } } })}>
        <OperatorLivePanel operator={OP} />
      </QueryClientProvider>
    </RigelContext.Provider>,
  );
}

describe("OperatorLivePanel", () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it("shows the node online with its GPU, shard in flight, failure and why it declines work", async () => {
    renderPanel(5);
    await waitFor(() => expect(screen.getByTestId("live-status").textContent).toBe("online"));
    expect(screen.getByTestId("live-gpus").textContent).toMatch(/RTX 4090.*24 GiB.*87%/);
    expect(screen.getByTestId("live-in-flight").textContent).toBe("Shards in flight: job #12 shard 3 (computing)");
    expect(screen.getByTestId("live-failures").textContent).toMatch(
      /job #9 shard 0: the container ran out of memory \(OOM\)/,
    );
    expect(screen.getByTestId("live-agent").textContent).toBe("Agent 1.2.3 · not accepting work: all GPUs busy");
  });

  it("shows it offline once the last heartbeat is older than the window", async () => {
    renderPanel(45);
    await waitFor(() => expect(screen.getByTestId("live-status").textContent).toBe("offline"));
    expect(screen.getByTestId("live-last-seen").textContent).toMatch(/^last heartbeat 4\d s ago/);
  });
});
