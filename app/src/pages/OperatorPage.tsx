import { useState } from "react";
import { hexToString, type Address } from "viem";
import { useConfig, useReadContract } from "wagmi";
import { writeChecked } from "../wallet/writeChecked";
import { computeTokenAbi, operatorStakingAbi, rewardsDistributorAbi } from "../../../sdk/contracts/abis";
import { useOperators, useShardHistory } from "../chain/queries";
import type { OperatorShard } from "../chain/readShardHistory";
import { AmountAction } from "../components/AmountAction";
import { DelegatorsTable } from "../components/DelegatorsTable";
import { OperatorEarnings } from "../components/OperatorEarnings";
import { OperatorLivePanel } from "../components/OperatorLivePanel";
import { SlashExplanations } from "../components/SlashExplanations";
import { OwedPanel } from "../components/OwedPanel";
import { useReadyWallet } from "../components/ConnectBar";
import { TxStatus } from "../components/TxStatus";
import { formatBps, formatDuration, formatOpsPerSec, formatTime, formatToken, formatVram } from "../lib/format";
import { useRigel } from "../RigelContext";
import { approveIfNeeded } from "../wallet/approveIfNeeded";
import { useChainNow } from "../wallet/useChainNow";
import { useTx } from "../wallet/useTx";

/** A shard history outcome in words: a developer fault says that it paid and did not slash. */
export function outcomeLabel(outcome: OperatorShard["outcome"]): string {
  return outcome === "developer fault" ? "developer fault (code failed: paid for time used, no slash)" : outcome;
}

function gpuName(model: `0x${string}`): string {
  try {
    return hexToString(model, { size: 32 }).replace(/\0+$/, "") || "—";
  } catch {
    return model;
  }
}

function RegisterForm({ onRegister }: { onRegister: (uri: string, bps: number) => void }) {
  const [uri, setUri] = useState("http://127.0.0.1:8700/?region=local&gpus=1");
  const [commission, setCommission] = useState("10");
  const bps = Math.round(Number(commission) * 100);
  return (
    <form
      className="card grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        onRegister(uri, bps);
      }}
    >
      <label className="wide">
        Metadata URI (agent endpoint, region, GPUs; add price=… to ask a price per unit)
        <input value={uri} onChange={(e) => setUri(e.target.value)} data-testid="register-uri" />
      </label>
      <label>
        Commission (%)
        <input value={commission} onChange={(e) => setCommission(e.target.value)} inputMode="decimal" />
      </label>
      <div className="wide">
        <button type="submit" data-testid="register" disabled={!Number.isInteger(bps) || bps < 0 || bps > 10_000}>
          Register as operator
        </button>
      </div>
    </form>
  );
}

function OperatorView({ account }: { account: Address }) {
  const { deployment } = useRigel();
  const config = useConfig();
  const now = useChainNow();
  const tx = useTx();
  const operators = useOperators();
  const history = useShardHistory(account);
  const staking = deployment.contracts.OperatorStaking;
  const token = deployment.contracts.ComputeToken;
  const info = useReadContract({
    address: staking,
    abi: operatorStakingAbi,
    functionName: "operatorInfo",
    args: [account],
    query: { refetchInterval: 2_000 },
  });
  const balance = useReadContract({
    address: token,
    abi: computeTokenAbi,
    functionName: "balanceOf",
    args: [account],
    query: { refetchInterval: 2_000 },
  });
  const [commission, setCommission] = useState("");
  const stakingCall = (label: string, functionName: "withdrawStake") =>
    tx.run(label, (step) =>
      step.send(label, () => writeChecked(config, { address: staking, abi: operatorStakingAbi, functionName })),
    );

  if (info.isError) return <p className="error">Cannot read the staking contract: the chain is unreachable.</p>;
  if (!info.data) return <p className="muted">Loading…</p>;
  const op = info.data;
  const row = operators.data?.find((o) => o.address.toLowerCase() === account.toLowerCase());

  if (!op.registered) {
    return (
      <>
        <p>This address is not registered. Register to stake and take jobs (the agent does the rest).</p>
        <RegisterForm
          onRegister={(uri, bps) =>
            void tx.run("Register", (step) =>
              step.send("Register", () =>
                writeChecked(config, {
                  address: staking,
                  abi: operatorStakingAbi,
                  functionName: "register",
                  args: [uri, bps],
                }),
              ),
            )
          }
        />
        <TxStatus state={tx.state} />
      </>
    );
  }

  const free = op.selfStake - op.lockedStake;
  const thawLeft = now !== undefined && op.selfThawEnd > now ? op.selfThawEnd - now : 0n;
  const capacityLeft = row && now !== undefined && row.capacityValidUntil > now ? row.capacityValidUntil - now : 0n;
  return (
    <>
      <h3>Node</h3>
      <OperatorLivePanel operator={account} />
      <div className="stats">
        <div className="stat">
          <span>Self-stake</span>
          <strong data-testid="self-stake">{formatToken(op.selfStake)}</strong>
          <small>
            {formatToken(op.lockedStake)} locked as collateral, {formatToken(free)} free
          </small>
        </div>
        <div className="stat">
          <span>Thawing</span>
          <strong data-testid="thawing">{formatToken(op.selfThawing)}</strong>
          <small data-testid="thaw-countdown">
            {op.selfThawing === 0n
              ? "nothing thawing"
              : thawLeft > 0n
                ? `withdrawable in ${formatDuration(thawLeft)}`
                : "thawed: withdraw now"}
          </small>
        </div>
        <div className="stat">
          <span>Commission</span>
          <strong>{formatBps(op.commissionBps)}</strong>
          <small>
            {op.pendingCommissionAt > 0n
              ? `${formatBps(op.pendingCommissionBps)} from ${formatTime(op.pendingCommissionAt)}`
              : "no change scheduled"}
          </small>
        </div>
        <div className="stat">
          <span>Capacity record</span>
          <strong data-testid="capacity">
            {row && row.capacityValidUntil > 0n ? formatOpsPerSec(row.opsPerSec) : "none"}
          </strong>
          <small>
            {row && row.capacityValidUntil > 0n
              ? `${formatVram(row.vramMiB)} ${gpuName(row.gpuModel)} · ${capacityLeft > 0n ? `expires in ${formatDuration(capacityLeft)}` : "expired"}`
              : "the agent proves capacity to the oracles"}
          </small>
        </div>
        <div className="stat">
          <span>Rewards</span>
          <strong data-testid="operator-claimable">{formatToken(row?.claimable ?? 0n)}</strong>
          <small>
            claimable · <span data-testid="operator-vesting">{formatToken(row?.vesting ?? 0n)}</span> vesting
            {row && row.vesting > 0n ? ` until ${formatTime(row.vestedBy)}` : ""} · {formatToken(row?.earned ?? 0n)}{" "}
            earned in all
          </small>
        </div>
        <div className="stat">
          <span>Wallet</span>
          <strong>{formatToken(balance.data ?? 0n)}</strong>
          <small>{op.jailedUntil > (now ?? 0n) ? `jailed until ${formatTime(op.jailedUntil)}` : "not jailed"}</small>
        </div>
      </div>
      <div className="card actions">
        <AmountAction
          label="Stake"
          testId="stake"
          onSubmit={(amount) =>
            void tx.run("Stake", async (step) => {
              await approveIfNeeded(config, step, token, account, staking, amount);
              await step.send("Stake", () =>
                writeChecked(config, {
                  address: staking,
                  abi: operatorStakingAbi,
                  functionName: "stake",
                  args: [amount],
                }),
              );
            })
          }
        />
        <AmountAction
          label="Request unstake"
          testId="unstake"
          onSubmit={(amount) =>
            void tx.run("Request unstake", (step) =>
              step.send("Request unstake", () =>
                writeChecked(config, {
                  address: staking,
                  abi: operatorStakingAbi,
                  functionName: "requestUnstake",
                  args: [amount],
                }),
              ),
            )
          }
        />
        <div className="inline-form">
          <button
            data-testid="withdraw-stake"
            disabled={op.selfThawing === 0n || thawLeft > 0n}
            onClick={() => void stakingCall("Withdraw stake", "withdrawStake")}
          >
            Withdraw thawed stake
          </button>
          <button
            data-testid="operator-claim"
            disabled={!row || row.claimable === 0n}
            onClick={() =>
              void tx.run("Claim rewards", (step) =>
                step.send("Claim rewards", () =>
                  writeChecked(config, {
                    address: deployment.contracts.RewardsDistributor,
                    abi: rewardsDistributorAbi,
                    functionName: "claim",
                    args: [account],
                  }),
                ),
              )
            }
          >
            Claim rewards
          </button>
        </div>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const bps = Math.round(Number(commission) * 100);
            void tx.run("Set commission", (step) =>
              step.send("Set commission", () =>
                writeChecked(config, {
                  address: staking,
                  abi: operatorStakingAbi,
                  functionName: "setCommission",
                  args: [bps],
                }),
              ),
            );
          }}
        >
          <input
            value={commission}
            onChange={(e) => setCommission(e.target.value)}
            placeholder="commission %"
            inputMode="decimal"
            aria-label="new commission in percent"
          />
          <button type="submit" disabled={!commission.trim()}>
            Set commission
          </button>
        </form>
        <TxStatus state={tx.state} />
      </div>
      <h2>Earnings</h2>
      <OperatorEarnings operator={account} />
      <OwedPanel
        account={account}
        caption="Payments for your settled shards (net of the protocol fee) are credited to you in the market; withdraw them to your wallet."
      />
      <h2>Delegators</h2>
      <DelegatorsTable operator={account} />
      <h2>Slashes and jail</h2>
      <SlashExplanations operator={account} now={now} />
      <h2>Shard history</h2>
      {history.data && history.data.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="shard-history">
            <thead>
              <tr>
                <th>Job</th>
                <th>Shard</th>
                <th>Outcome</th>
                <th>Collateral</th>
                <th>Credited</th>
                <th>Slashed</th>
              </tr>
            </thead>
            <tbody>
              {history.data.map((h) => (
                <tr key={`${h.jobId}:${h.shard}`}>
                  <td>#{h.jobId.toString()}</td>
                  <td>{h.shard}</td>
                  <td>{outcomeLabel(h.outcome)}</td>
                  <td>{formatToken(h.collateral)}</td>
                  <td>{formatToken(h.earned)}</td>
                  <td>{formatToken(h.slashed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">No shards yet.</p>
      )}
    </>
  );
}

/**
 * Operators: the node's live state (heartbeats), register, stake, unstake with its thaw countdown,
 * withdraw, commission, capacity, earnings over time, delegators, slashes explained, history, claim.
 */
export function OperatorPage() {
  const account = useReadyWallet();
  return (
    <section className="page">
      <h2>Operator</h2>
      {account ? (
        <OperatorView account={account} />
      ) : (
        <p className="muted">Connect a wallet on the right chain to manage your operator.</p>
      )}
    </section>
  );
}
