import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { zeroAddress, type Address } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { WagmiProvider } from "wagmi";
import { JobKind, ShardState, shardStateName, VerificationMode } from "../../sdk/market/enums";
import type { JobRow, ShardRow } from "../src/chain/readJobs";
import { parseRigelConfig } from "../src/chain/rigelConfig";
import { createWagmiConfig } from "../src/chain/wagmiConfig";
import { JobCard } from "../src/components/JobList";
import { RigelContext } from "../src/RigelContext";

const A = "0x00000000000000000000000000000000000000a1" as Address;
const OP = "0x00000000000000000000000000000000000000b2" as Address;
const DEV = "0x00000000000000000000000000000000000000d3" as Address;
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

const DEADLINE = 10_000n;

function shard(index: number, state: number, submittedAt = 0n): ShardRow {
  return {
    shard: index,
    state,
    stateName: shardStateName(state),
    operator: state === ShardState.Open ? zeroAddress : OP,
    assigned: zeroAddress,
    acceptedAt: state === ShardState.Open ? 0n : 1_000n,
    submittedAt,
    submittedBlock: 0n,
    units: 0n,
    collateral: 0n,
    resultRoot: `0x${"00".repeat(32)}`,
    verifyWindow: state === ShardState.Open ? 0n : 3_600n,
  };
}

function job(shards: ShardRow[], gang?: JobRow["gang"]): JobRow {
  return {
    jobId: 7n,
    developer: DEV,
    deadline: DEADLINE,
    paymentToken: A,
    maxUnitsPerShard: 10n,
    minVramMiB: 0,
    maxPricePerUnit: 1n,
    minOpsPerSec: 0n,
    kind: JobKind.MatmulInt8,
    verificationMode: VerificationMode.Sampled,
    escrow: 10n * BigInt(shards.length),
    verifyWindow: 3_600n,
    shardValue: 10n,
    gang,
    shards,
    blockNumber: 5n,
    timestamp: DEADLINE + 1n,
    specURI: "",
    createdAt: 1n,
  };
}

const expireButton = (s: number) => screen.queryByTestId(`expire-7-${s}`);

afterEach(cleanup);

describe("JobCard's Expire button follows the contract's rule (sdk expirable)", () => {
  it("is not offered for an accepted shard of an unstarted gang, even past the deadline (MarketGangNotStarted)", () => {
    const gang = { acceptDeadline: 5_000n, startedAt: 0n, accepted: 1, released: false };
    render(
      withProviders(
        <JobCard
          job={job([shard(0, ShardState.Accepted), shard(1, ShardState.Open)], gang)}
          now={DEADLINE + 1n}
          developer={DEV}
        />,
      ),
    );
    expect(screen.getByTestId("shard-7-0").textContent).toContain("Accepted");
    expect(expireButton(0)).toBeNull();
    expect(expireButton(1)).toBeNull();
  });

  it("is offered for the same shard once the gang has started, and for a plain job, only past the deadline", () => {
    const started = { acceptDeadline: 5_000n, startedAt: 4_000n, accepted: 2, released: false };
    const shards = [shard(0, ShardState.Accepted), shard(1, ShardState.Accepted)];
    const { rerender } = render(
      withProviders(<JobCard job={job(shards, started)} now={DEADLINE + 1n} developer={DEV} />),
    );
    expect(expireButton(0)?.textContent).toBe("Expire and refund");
    rerender(withProviders(<JobCard job={job(shards)} now={DEADLINE + 1n} developer={DEV} />));
    expect(expireButton(0)).not.toBeNull();
    rerender(withProviders(<JobCard job={job(shards)} now={DEADLINE} developer={DEV} />));
    expect(expireButton(0)).toBeNull();
  });

  it("is offered for a submitted shard only after its verify window", () => {
    const shards = [shard(0, ShardState.Submitted, 9_000n)];
    const { rerender } = render(withProviders(<JobCard job={job(shards)} now={12_600n} developer={DEV} />));
    expect(expireButton(0)).toBeNull();
    rerender(withProviders(<JobCard job={job(shards)} now={12_601n} developer={DEV} />));
    expect(expireButton(0)).not.toBeNull();
  });
});

describe("JobCard shows a developer fault as final, paid for the time used and refunded", () => {
  it("labels the state and verdict, shows the payment and the refund, offers no expiry or download", () => {
    const faulted: ShardRow = { ...shard(0, ShardState.DeveloperFault, 9_000n), paid: 3n, refund: 7n };
    faulted.resultURI = "http://127.0.0.1:1/results/7/0";
    render(withProviders(<JobCard job={job([faulted])} now={DEADLINE + 100_000n} developer={DEV} />));
    const row = screen.getByTestId("shard-7-0");
    expect(screen.getByTestId("shard-state").textContent).toBe("Developer fault");
    expect(screen.getByTestId("shard-state").className).toContain("state-developerfault");
    expect(screen.getByTestId("shard-verdict").textContent).toBe(
      "Developer fault: developer's code failed — operator paid for time used, rest refunded",
    );
    expect(row.textContent).toContain("operator credited");
    expect(row.textContent).toContain("refund credited");
    expect(expireButton(0)).toBeNull();
    expect(screen.queryByTestId("download-7-0")).toBeNull();
  });
});

describe("JobCard shows what settlement credited in the market (pull payments) and downloads from the event's URI", () => {
  it("shows each shard's credited payment, fee and refund and the job's sums", () => {
    const E18 = 10n ** 18n;
    const settled: ShardRow = {
      ...shard(0, ShardState.Settled, 9_000n),
      resultURI: "http://127.0.0.1:1/v1/results/7/0",
      paid: (195n * E18) / 100n,
      fee: (5n * E18) / 100n,
      refund: 8n * E18,
    };
    const cancelled: ShardRow = { ...shard(1, ShardState.Cancelled), refund: 10n * E18 };
    render(withProviders(<JobCard job={job([settled, cancelled])} now={9_500n} developer={DEV} />));
    const row0 = screen.getByTestId("shard-7-0");
    expect(row0.textContent).toContain("operator credited 1.95 RGL");
    expect(row0.textContent).toContain("fee 0.05 RGL");
    expect(row0.textContent).toContain("refund credited 8 RGL");
    expect(screen.getByTestId("shard-7-1").textContent).toContain("refund credited 10 RGL");
    expect(screen.getByTestId("job-credited-7").textContent).toBe(
      "credited: refund 18 RGL to you, 1.95 RGL to operators",
    );
    // The download reads the URI of the shard's ShardSubmitted event (not stored on-chain any more).
    expect(screen.getByTestId("download-7-0").textContent).toBe("Download result");
  });

  it("offers no download for a settled shard whose ShardSubmitted event was not read", () => {
    render(withProviders(<JobCard job={job([shard(0, ShardState.Settled, 9_000n)])} now={9_500n} developer={DEV} />));
    expect(screen.queryByTestId("download-7-0")).toBeNull();
  });
});
