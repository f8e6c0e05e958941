import { useState } from "react";
import type { Address } from "viem";
import { useConfig, useReadContract } from "wagmi";
import { writeChecked } from "../wallet/writeChecked";
import { computeTokenAbi, operatorStakingAbi } from "../../../sdk/contracts/abis";
import { useHistory, useOperators, useRewardsOverview } from "../chain/queries";
import { useEmissionRange, useSettledEpochs } from "../chain/pageQueries";
import type { OperatorRow } from "../chain/readOperators";
import { AmountAction } from "../components/AmountAction";
import { useReadyWallet } from "../components/ConnectBar";
import { EmissionChart } from "../components/EmissionChart";
import { epochsOf, EPOCH_RANGES, rangeOf, RangeSelect } from "../components/RangeSelect";
import { TxStatus } from "../components/TxStatus";
import { YieldCalculator } from "../components/YieldCalculator";
import { formatBps, formatDuration, formatOpsPerSec, formatToken, shortAddress } from "../lib/format";
import { SECONDS_PER_YEAR, yieldOverWindow } from "../lib/yieldOverWindow";
import { useRigel } from "../RigelContext";
import { approveIfNeeded } from "../wallet/approveIfNeeded";
import { useChainNow } from "../wallet/useChainNow";
import { useTx } from "../wallet/useTx";

function DelegationPanel({ account, operators }: { account: Address; operators: OperatorRow[] }) {
  const { deployment } = useRigel();
  const config = useConfig();
  const now = useChainNow();
  const tx = useTx();
  const [chosen, setChosen] = useState<Address | "">("");
  const operator = (chosen || operators[0]?.address) as Address | undefined;
  const staking = deployment.contracts.OperatorStaking;
  const delegation = useReadContract({
    address: staking,
    abi: operatorStakingAbi,
    functionName: "delegationInfo",
    args: operator ? [operator, account] : undefined,
    query: { enabled: operator !== undefined, refetchInterval: 2_000 },
  });
  if (!operator) return <p className="muted">No operator to delegate to yet.</p>;
  const wallet = useReadContract({
    address: deployment.contracts.ComputeToken,
    abi: computeTokenAbi,
    functionName: "balanceOf",
    args: [account],
    query: { refetchInterval: 2_000 },
  });
  const d = delegation.data;
  const thawLeft = d && now !== undefined && d.thawEnd > now ? d.thawEnd - now : 0n;
  const send = (label: string, functionName: "claimRewards" | "withdrawDelegation") =>
    tx.run(label, (step) =>
      step.send(label, () =>
        writeChecked(config, { address: staking, abi: operatorStakingAbi, functionName, args: [operator] }),
      ),
    );
  return (
    <div className="card" data-testid="delegation">
      <label>
        Operator{" "}
        <select value={operator} onChange={(e) => setChosen(e.target.value as Address)} data-testid="delegate-operator">
          {operators.map((o) => (
            <option key={o.address} value={o.address}>
              {shortAddress(o.address)} · {formatBps(o.commissionBps)} commission
            </option>
          ))}
        </select>
      </label>
      <div className="stats">
        <div className="stat">
          <span>Your delegation</span>
          <strong data-testid="delegation-value">{formatToken(d?.value ?? 0n)}</strong>
          <small>principal {formatToken(d?.principal ?? 0n)}</small>
        </div>
        <div className="stat">
          <span>Pending</span>
          <strong data-testid="delegation-pending">{formatToken(d?.pendingTokens ?? 0n)}</strong>
          <small>
            {!d || d.pendingTokens === 0n
              ? "nothing pending"
              : `joins the pool when epoch ${d.pendingEpoch} ends; earns nothing until then`}
          </small>
        </div>
        <div className="stat">
          <span>Claimable rewards</span>
          <strong data-testid="delegation-claimable">{formatToken(d?.claimable ?? 0n)}</strong>
          <small>value above principal, paid at once</small>
        </div>
        <div className="stat">
          <span>Thawing</span>
          <strong>{formatToken(d?.thawValue ?? 0n)}</strong>
          <small data-testid="delegation-thaw">
            {!d || d.thawValue === 0n
              ? "nothing thawing"
              : thawLeft > 0n
                ? `withdrawable in ${formatDuration(thawLeft)}`
                : "thawed"}
          </small>
        </div>
      </div>
      <div className="actions">
        <AmountAction
          label="Delegate"
          testId="delegate"
          max={wallet.data}
          maxMessage={`you have ${formatToken(wallet.data ?? 0n)} in your wallet`}
          onSubmit={(amount) =>
            void tx.run("Delegate", async (step) => {
              await approveIfNeeded(config, step, deployment.contracts.ComputeToken, account, staking, amount);
              await step.send("Delegate", () =>
                writeChecked(config, {
                  address: staking,
                  abi: operatorStakingAbi,
                  functionName: "delegate",
                  args: [operator, amount],
                }),
              );
            })
          }
        />
        <AmountAction
          label="Undelegate"
          testId="undelegate"
          disabled={!d || d.shares === 0n}
          max={d?.value ?? 0n}
          maxMessage={`you have ${formatToken(d?.value ?? 0n)} delegated to this operator`}
          onSubmit={(amount) => {
            if (!d || d.value === 0n) return;
            // Shares for `amount` of value at the current price, rounded up and capped at what is held.
            const wanted = (amount * d.shares + d.value - 1n) / d.value;
            const shares = wanted > d.shares ? d.shares : wanted;
            void tx.run("Undelegate", (step) =>
              step.send("Undelegate", () =>
                writeChecked(config, {
                  address: staking,
                  abi: operatorStakingAbi,
                  functionName: "undelegate",
                  args: [operator, shares],
                }),
              ),
            );
          }}
        />
        <div className="inline-form">
          <button
            data-testid="delegation-claim"
            disabled={!d || d.claimable === 0n}
            onClick={() => void send("Claim rewards", "claimRewards")}
          >
            Claim rewards
          </button>
          <button
            className="secondary"
            disabled={!d || d.thawValue === 0n || thawLeft > 0n}
            onClick={() => void send("Withdraw delegation", "withdrawDelegation")}
          >
            Withdraw thawed
          </button>
        </div>
      </div>
      <TxStatus state={tx.state} />
    </div>
  );
}

/** Short explanations of where rewards come from (PROTOCOL §10.1–10.3), with this deployment's figures. */
function RewardsExplainer({
  decayBps,
  workShareBps,
  workRewardCapBps,
}: {
  decayBps: number;
  workShareBps: number;
  workRewardCapBps: number;
}) {
  return (
    <div className="card explain" data-testid="rewards-explainer">
      <p>
        <strong>Emission</strong>: new RGL minted each epoch, shrinking by {formatBps(decayBps)} per epoch; the chart
        below shows the schedule (line) and what was actually minted (bars), which is less when no operator earned a
        share.
      </p>
      <p>
        <strong>Work share</strong> ({formatBps(workShareBps)} of each epoch's emission): split among operators by the
        protocol fees their settled shards paid in the epoch, each capped at {formatBps(workRewardCapBps)} of its fees,
        so paying yourself fees never earns more than it costs.
      </p>
      <p>
        <strong>Availability share</strong> (the other {formatBps(10_000 - workShareBps)}): split by the best capacity
        (operations per second) each operator proved to the oracles in the epoch, for operators with enough self-stake
        that were not jailed or slashed. An operator's reward is split into its commission, then the rest between its
        own stake and its delegators' pool in proportion to the stake.
      </p>
    </div>
  );
}

/** Token holders: emission, yield over a window, a calculator, operators, delegation and history. Reads without a wallet. */
export function RewardsPage() {
  const overview = useRewardsOverview();
  const operators = useOperators();
  const settled = useSettledEpochs();
  const account = useReadyWallet();
  const history = useHistory();
  const now = useChainNow();
  const [chartRange, setChartRange] = useState("24");
  const [windowId, setWindowId] = useState("7d");
  const o = overview.data;
  const chartPast = o ? Number(epochsOf(rangeOf(chartRange), o.epochLength, o.currentEpoch + 1n)) : 24;
  const emission = useEmissionRange(chartRange === "all" ? Infinity : chartPast);
  const epochEnd = o ? o.genesis + (o.currentEpoch + 1n) * o.epochLength : undefined;
  const current = o?.epochs.find((e) => e.epoch === o.currentEpoch);
  const windowEpochs = o ? epochsOf(rangeOf(windowId), o.epochLength, o.currentEpoch) : 1n;
  const yieldOf = (op: OperatorRow) =>
    o && settled.data
      ? yieldOverWindow({
          settled: settled.data.get(op.address.toLowerCase()) ?? [],
          currentEpoch: o.currentEpoch,
          windowEpochs,
          epochLength: o.epochLength,
          stake: op.selfStake + op.delegated,
        })
      : undefined;
  const windowLabel = EPOCH_RANGES.find((r) => r.id === windowId)?.label ?? "";
  return (
    <section className="page">
      <h2>Rewards</h2>
      {overview.isError && <p className="error">Cannot read the rewards contract: the chain is unreachable.</p>}
      {o && (
        <>
          <div className="stats">
            <div className="stat">
              <span>Current epoch</span>
              <strong data-testid="current-epoch">{o.currentEpoch.toString()}</strong>
              <small data-testid="epoch-countdown">
                {epochEnd !== undefined && now !== undefined
                  ? `ends in ${formatDuration(epochEnd > now ? epochEnd - now : 0n)}`
                  : "…"}{" "}
                · epochs of {formatDuration(o.epochLength)}
              </small>
            </div>
            <div className="stat">
              <span>Emission this epoch</span>
              <strong data-testid="epoch-emission">{formatToken(current?.emission ?? 0n)}</strong>
              <small>
                decays {formatBps(o.decayBps)} per epoch · {formatBps(o.workShareBps)} for work
              </small>
            </div>
            <div className="stat">
              <span>Minted so far</span>
              <strong>{formatToken(o.totalMinted)}</strong>
              <small>work reward capped at {formatBps(o.workRewardCapBps)} of fees</small>
            </div>
          </div>
          <RewardsExplainer decayBps={o.decayBps} workShareBps={o.workShareBps} workRewardCapBps={o.workRewardCapBps} />
          <p>
            <RangeSelect value={chartRange} onChange={setChartRange} testId="emission-range" label="Chart range" />{" "}
            <span className="muted">(and the next 12 epochs of the schedule)</span>
          </p>
          {emission.data ? (
            <EmissionChart epochs={emission.data.epochs} current={emission.data.currentEpoch} />
          ) : (
            <p className="muted">Loading the chart…</p>
          )}
        </>
      )}
      <h2>Operators</h2>
      {o && (
        <div className="card" data-testid="yield-window">
          <RangeSelect value={windowId} onChange={setWindowId} testId="yield-window-select" label="Yield over" />{" "}
          <span data-testid="yield-window-epochs">
            = epochs {(o.currentEpoch > windowEpochs ? o.currentEpoch - windowEpochs : 0n).toString()}–
            {(o.currentEpoch - 1n).toString()} (the {windowLabel} before the current epoch)
          </span>
          <p className="formula" data-testid="yield-formula">
            yield = Σ reward over the window ÷ N epochs × {(SECONDS_PER_YEAR / (o.epochLength || 1n)).toString()} epochs
            a year ÷ stake now (self + delegated); delegator yield uses reward − commission. Epochs not yet settled
            count as 0.
          </p>
        </div>
      )}
      {operators.data && operators.data.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="operator-table">
            <thead>
              <tr>
                <th>Operator</th>
                <th>Stake</th>
                <th>Delegated</th>
                <th>Commission</th>
                <th>Capacity</th>
                <th>Jobs done</th>
                <th>Slashed</th>
                <th>Rewards in window</th>
                <th>Operator yield</th>
                <th>Delegator yield</th>
              </tr>
            </thead>
            <tbody>
              {operators.data.map((op) => {
                const y = yieldOf(op);
                return (
                  <tr key={op.address} data-testid={`operator-row-${op.address.toLowerCase()}`}>
                    <td className="mono" title={op.address}>
                      {shortAddress(op.address)}
                    </td>
                    <td>{formatToken(op.selfStake)}</td>
                    <td>{formatToken(op.delegated)}</td>
                    <td>{formatBps(op.commissionBps)}</td>
                    <td>
                      {now !== undefined && op.capacityValidUntil >= now
                        ? formatOpsPerSec(op.opsPerSec)
                        : "expired / none"}
                    </td>
                    <td>{op.jobsDone.toString()}</td>
                    <td>
                      {formatToken(op.slashed)}
                      {op.failed + op.noShows > 0n ? ` (${(op.failed + op.noShows).toString()}×)` : ""}
                    </td>
                    <td data-testid="window-rewards">{y ? formatToken(y.rewardSum) : "—"}</td>
                    <td data-testid="operator-yield">{y ? `${formatBps(y.operatorYieldBps)} / yr` : "—"}</td>
                    <td data-testid="delegator-yield">{y ? `${formatBps(y.delegatorYieldBps)} / yr` : "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">
          {operators.isError
            ? "Operators cannot be read: the chain is unreachable."
            : operators.data === undefined
              ? "Loading operators…"
              : "No operators yet."}
        </p>
      )}
      <h2>Yield calculator</h2>
      {o && operators.data && operators.data.length > 0 && settled.data ? (
        <YieldCalculator
          operators={operators.data}
          settled={settled.data}
          currentEpoch={o.currentEpoch}
          epochLength={o.epochLength}
        />
      ) : (
        <p className="muted">No operator to compute a yield for yet.</p>
      )}
      <h2>Delegate</h2>
      {account && operators.data ? (
        <DelegationPanel account={account} operators={operators.data} />
      ) : (
        <p className="muted">Connect a wallet on the right chain to delegate RGL and claim rewards.</p>
      )}
      <h2>History</h2>
      {history.data && history.data.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="history">
            <thead>
              <tr>
                <th>Block</th>
                <th>Event</th>
                <th>Operator</th>
                <th>Account</th>
                <th>Amount</th>
              </tr>
            </thead>
            <tbody>
              {history.data.map((h) => (
                <tr key={`${h.blockNumber}:${h.logIndex}`}>
                  <td>{h.blockNumber.toString()}</td>
                  <td>
                    {h.kind}
                    {h.epoch !== undefined ? ` (epoch ${h.epoch})` : ""}
                  </td>
                  <td className="mono">{shortAddress(h.operator)}</td>
                  <td className="mono">{h.account ? shortAddress(h.account) : ""}</td>
                  <td>{formatToken(h.amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">No reward or delegation events yet.</p>
      )}
    </section>
  );
}
