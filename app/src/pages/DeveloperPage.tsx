import { useMemo, useState } from "react";
import { maxUint256 } from "viem";
import { useConfig, useReadContract } from "wagmi";
import { readContract } from "wagmi/actions";
import { writeChecked } from "../wallet/writeChecked";
import { computeTokenAbi, jobMarketAbi } from "../../../sdk/contracts/abis";
import { useOperators } from "../chain/queries";
import { useReadyWallet } from "../components/ConnectBar";
import { JobList } from "../components/JobList";
import { TxStatus } from "../components/TxStatus";
import { buildJob, jobParams, JobFormError, type BuiltJob, type JobForm } from "../lib/buildJob";
import { formatDuration, formatOpsPerSec, formatToken, shortAddress } from "../lib/format";
import { suggestOperators } from "../lib/suggestOperators";
import { useRigel } from "../RigelContext";
import { useChainNow } from "../wallet/useChainNow";
import { signPermit, supportsPermit } from "../wallet/permit";
import { approveIfNeeded } from "../wallet/approveIfNeeded";
import { useTx } from "../wallet/useTx";

function randomSeed(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const INITIAL: JobForm = {
  kind: "matmul-int8",
  seed: "",
  m: "256",
  n: "256",
  k: "256",
  image: "rigel/busybox:test",
  command: "sh -c 'echo $RIGEL_ITEM > $RIGEL_OUTPUT/out.txt'",
  items: "1\n2\n3\n4",
  gpuSecondsPerShard: "60",
  shards: "1",
  maxPricePerUnit: "1",
  deadlineMinutes: "60",
  minVramMiB: "0",
  minOpsPerSec: "0",
};

/** Developers: create and pay for a job, follow its shards, cancel, expire, download results. */
export function DeveloperPage() {
  const { deployment } = useRigel();
  const account = useReadyWallet();
  const now = useChainNow();
  const config = useConfig();
  const operators = useOperators();
  const marketParams = useReadContract({
    address: deployment.contracts.JobMarket,
    abi: jobMarketAbi,
    functionName: "params",
  });
  const tx = useTx();
  const [form, setForm] = useState<JobForm>(() => ({ ...INITIAL, seed: randomSeed() }));
  const set = (field: keyof JobForm) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [field]: e.target.value }));

  const built = useMemo((): { job?: BuiltJob; problems: string[] } => {
    try {
      return { job: buildJob(form, now ?? 0n), problems: [] };
    } catch (err) {
      return { problems: err instanceof JobFormError ? err.problems : [(err as Error).message] };
    }
  }, [form, now]);
  const job = built.job;
  const suggestion = useMemo(() => {
    if (!job || !operators.data || now === undefined) return undefined;
    // Collateral = ⌈V × collateralRatioBps / 10^4⌉ at 1 RGL per RGL (PROTOCOL §9.2; the job pays in RGL).
    const ratio = BigInt(marketParams.data?.collateralRatioBps ?? 15_000);
    const collateral = (job.unitsPerShard * job.maxPricePerUnit * ratio + 9_999n) / 10_000n;
    return suggestOperators(
      {
        shards: job.shards,
        unitsPerShard: job.unitsPerShard,
        maxPricePerUnit: job.maxPricePerUnit,
        minVramMiB: job.minVramMiB,
        minOpsPerSec: job.minOpsPerSec,
        collateralPerShard: collateral,
        multiplyAddsPerShard: job.multiplyAddsPerShard,
      },
      operators.data,
      now,
    );
  }, [job, operators.data, now, marketParams.data]);

  const create = async () => {
    if (!job || !account) return;
    const market = deployment.contracts.JobMarket;
    const token = deployment.contracts.ComputeToken;
    await tx.run("Create job", async (step) => {
      const params = jobParams(job, token);
      const allowance = await readContract(config, {
        address: token,
        abi: computeTokenAbi,
        functionName: "allowance",
        args: [account, market],
      });
      if (allowance >= job.escrow) {
        await step.send("Create job", () =>
          writeChecked(config, { address: market, abi: jobMarketAbi, functionName: "createJob", args: [params] }),
        );
        return;
      }
      // A token with EIP-2612 (RGL): one signature approves, one transaction creates and pulls the
      // escrow. createJobWithPermit applies the permit for the maximum allowance (IJobMarket), so that
      // is what the wallet signs. A token without permit: approve, then create.
      if (!(await supportsPermit(config, token, account))) {
        await approveIfNeeded(config, step, token, account, market, job.escrow);
        await step.send("Create job", () =>
          writeChecked(config, { address: market, abi: jobMarketAbi, functionName: "createJob", args: [params] }),
        );
        return;
      }
      const permit = await step.ask("Sign the permit", () =>
        signPermit(config, token, account, market, maxUint256, job.deadlineSeconds),
      );
      await step.send("Approve and create job", () =>
        writeChecked(config, {
          address: market,
          abi: jobMarketAbi,
          functionName: "createJobWithPermit",
          args: [params, permit.deadline, permit.v, permit.r, permit.s],
        }),
      );
    });
  };

  return (
    <section className="page">
      <h2>Create a job</h2>
      <form
        className="card grid-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <label className="double">
          Kind
          <select value={form.kind} onChange={set("kind")} data-testid="job-kind">
            <option value="matmul-int8">matmul-int8 (verified)</option>
            <option value="container">container</option>
          </select>
        </label>
        {form.kind === "matmul-int8" ? (
          <>
            <label className="wide">
              Seed
              <input value={form.seed} onChange={set("seed")} spellCheck={false} />
            </label>
            <label>
              m (rows)
              <input value={form.m} onChange={set("m")} inputMode="numeric" data-testid="job-m" />
            </label>
            <label>
              n
              <input value={form.n} onChange={set("n")} inputMode="numeric" />
            </label>
            <label>
              k
              <input value={form.k} onChange={set("k")} inputMode="numeric" />
            </label>
          </>
        ) : (
          <>
            <label className="wide">
              Image
              <input value={form.image} onChange={set("image")} />
            </label>
            <label className="wide">
              Command
              <input value={form.command} onChange={set("command")} />
            </label>
            <label className="wide">
              Items (one JSON value a line; empty: one run)
              <textarea value={form.items} onChange={set("items")} rows={3} />
            </label>
            <label>
              GPU-seconds per shard
              <input value={form.gpuSecondsPerShard} onChange={set("gpuSecondsPerShard")} inputMode="numeric" />
            </label>
          </>
        )}
        <label>
          Shards
          <input value={form.shards} onChange={set("shards")} inputMode="numeric" data-testid="job-shards" />
        </label>
        <label>
          Max price per unit (RGL)
          <input
            value={form.maxPricePerUnit}
            onChange={set("maxPricePerUnit")}
            inputMode="decimal"
            data-testid="job-price"
          />
        </label>
        <label>
          Deadline (minutes from now)
          <input value={form.deadlineMinutes} onChange={set("deadlineMinutes")} inputMode="numeric" />
        </label>
        <label>
          Min VRAM (MiB)
          <input value={form.minVramMiB} onChange={set("minVramMiB")} inputMode="numeric" />
        </label>
        <label>
          Min ops/s
          <input value={form.minOpsPerSec} onChange={set("minOpsPerSec")} inputMode="numeric" />
        </label>
        <div className="wide summary" data-testid="job-summary">
          {job ? (
            <>
              <div>
                {job.shards} shard{job.shards > 1 ? "s" : ""} × {job.unitsPerShard.toString()} unit
                {job.unitsPerShard === 1n ? "" : "s"} × {formatToken(job.maxPricePerUnit)} = escrow{" "}
                <strong data-testid="job-escrow">{formatToken(job.escrow)}</strong>
              </div>
              <div className="muted mono">spec hash {job.specHash}</div>
            </>
          ) : (
            <ul className="error">
              {built.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
        {suggestion && (
          <div className="wide suggestion" data-testid="suggestion">
            <strong>Suggested operators</strong> (eligible, cheapest first; the planner will replace this):
            {suggestion.operators.length === 0 ? (
              <span className="error"> none eligible right now; the job waits for one.</span>
            ) : (
              <ul>
                {suggestion.operators.map((op) => (
                  <li key={op.address}>
                    <span className="mono">{shortAddress(op.address)}</span> · {formatOpsPerSec(op.opsPerSec)} · asks{" "}
                    {op.askPricePerUnit !== undefined ? formatToken(op.askPricePerUnit) : "the job's price"} · shards{" "}
                    {op.shards.join(", ")}
                  </li>
                ))}
              </ul>
            )}
            <div>
              Cost at most {formatToken(suggestion.maxCost)}
              {suggestion.estimatedSeconds !== undefined &&
                ` · compute time ${suggestion.estimatedSeconds < 1 ? "under 1s" : `about ${formatDuration(Math.ceil(suggestion.estimatedSeconds))}`}`}
            </div>
          </div>
        )}
        <div className="wide">
          <button type="submit" disabled={!job || !account} data-testid="create-job">
            Approve and create job
          </button>
          {!account && <span className="muted"> Connect a wallet on the right chain to create a job.</span>}
          <TxStatus state={tx.state} />
        </div>
      </form>
      <h2>Your jobs</h2>
      {account ? <JobList developer={account} /> : <p className="muted">Connect a wallet to see your jobs.</p>}
    </section>
  );
}
