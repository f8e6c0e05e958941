import { useMemo, useState } from "react";
import { parseUnits, type PublicClient } from "viem";
import { useConfig } from "wagmi";
import { getPublicClient, getWalletClient } from "wagmi/actions";
import { createJob, type CreateJobStep } from "../../../sdk/market/createJob";
import { usePlan } from "../chain/usePlan";
import { useReadyWallet } from "../components/ConnectBar";
import { JobList } from "../components/JobList";
import { OwedPanel } from "../components/OwedPanel";
import { TxStatus } from "../components/TxStatus";
import { buildJob, JobFormError, type BuiltJob, type JobForm } from "../lib/buildJob";
import { PlanView } from "../components/PlanView";
import { formatToken } from "../lib/format";
import { EMPTY_MODEL, type LlmForm } from "../lib/llmJobForm";
import { LlmFields } from "../components/LlmFields";
import { perThousandTokensFromPricePerUnit } from "../../../sdk/pricing/pricePerThousandTokens";
import { exactTokenPlan } from "../../../sdk/planner/exactTokenPlan";
import { plannedJob, type PlannedJob } from "../lib/plannedJob";
import { isPlannable, planRequest, type PlanForm } from "../lib/planRequest";
import { useRigel } from "../RigelContext";
import { SpecJson } from "../components/SpecJson";
import { TemplateGallery } from "../components/TemplateGallery";
import { useWalletFunds, WalletBalances } from "../components/WalletBalances";
import { createDisabledReason } from "../lib/spendCheck";
import { templateForm } from "../lib/templateForm";
import type { JobTemplate } from "../../../sdk/spec/templates/jobTemplate";
import { useChainNow } from "../wallet/useChainNow";
import { useTx } from "../wallet/useTx";

/** The progress line of each step of sdk `createJob`. */
const STEP_LABELS: Record<CreateJobStep["step"], string> = {
  approve: "Approve RGL",
  permit: "Sign the permit",
  create: "Create job",
  createWithPermit: "Approve and create job",
};

function randomSeed(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const INITIAL: JobForm & PlanForm = {
  kind: "matmul-int8",
  seed: "",
  m: "256",
  n: "256",
  k: "256",
  image: "rigel/busybox:test",
  command: "sh -c 'echo $RIGEL_ITEM > $RIGEL_OUTPUT/out.txt'",
  gpus: "",
  memoryMiB: "",
  milliCpus: "",
  timeoutSec: "",
  gpuModels: "",
  uploadUrl: "",
  items: "1\n2\n3\n4",
  gpuSecondsPerShard: "60",
  shards: "8",
  maxPricePerUnit: "1",
  objective: "fastest",
  budget: "100",
  withinSeconds: "600",
  itemSeconds: "1",
  referenceOpsPerSec: "1000000000000",
  deadlineMinutes: "60",
  minVramMiB: "0",
  minOpsPerSec: "0",
};

/** What a budget in RGL buys at the max per-token price, in tokens: `≈ 50,000 tokens`. */
function budgetTokens(budget: string, perToken: bigint): string {
  try {
    const tokens = perToken > 0n ? parseUnits(budget.trim(), 18) / perToken : 0n;
    return `= ${tokens.toLocaleString("en-US")} tokens at most`;
  } catch {
    return "";
  }
}

const INITIAL_LLM: LlmForm = {
  prompts: "Once upon a time\nThe meaning of life is",
  model: EMPTY_MODEL,
  maxNewTokens: "16",
  decoding: "greedy",
  temperature: "0.8",
  topP: "0.95",
  sampleSeed: "",
  pricePer1kTokens: "1",
};

/** Developers: create and pay for a job, follow its shards, cancel, expire, download results, withdraw refunds. */
export function DeveloperPage() {
  const { deployment } = useRigel();
  const account = useReadyWallet();
  const now = useChainNow();
  const config = useConfig();
  const tx = useTx();
  const [form, setForm] = useState<JobForm & PlanForm>(() => ({ ...INITIAL, seed: randomSeed() }));
  const set = (field: keyof (JobForm & PlanForm)) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [field]: e.target.value }));
  const [llm, setLlm] = useState<LlmForm>(() => ({ ...INITIAL_LLM, sampleSeed: randomSeed() }));
  const isLlm = form.kind === "llm-inference";
  const [template, setTemplate] = useState<string>();
  const [usePermit, setUsePermit] = useState(false);
  const funds = useWalletFunds(account);
  const chooseTemplate = (t: JobTemplate) => {
    const fill = templateForm(t);
    setForm((f) => ({ ...f, ...fill.form }));
    if (fill.llm) setLlm((l) => ({ ...l, ...fill.llm }));
    setTemplate(t.name);
  };

  const built = useMemo((): { job?: BuiltJob; problems: string[] } => {
    try {
      return { job: buildJob({ ...form, llm }, now ?? 0n), problems: [] };
    } catch (err) {
      return { problems: err instanceof JobFormError ? err.problems : [(err as Error).message] };
    }
  }, [form, llm, now]);
  const plannable = built.job !== undefined && isPlannable(built.job);
  const request = useMemo(
    () => (built.job && plannable ? planRequest(form, built.job) : { problems: [] }),
    [form, built.job, plannable],
  );
  const planned = usePlan(plannable ? built.job : undefined, request.request);
  // What createJob sends: the planned job (uneven split, assigned operators), or one open run.
  const token = deployment.contracts.ComputeToken;
  const job = useMemo((): PlannedJob | undefined => {
    if (!built.job) return undefined;
    if (!plannable) return plannedJob(built.job, undefined, token);
    return planned.data ? plannedJob(built.job, planned.data.plan, token) : undefined;
  }, [built.job, plannable, planned.data, token]);
  const problems = [...built.problems, ...request.problems];
  const busy = tx.state.status === "signing" || tx.state.status === "pending";
  // Why the create button is off, said on it and beside it (PROTOCOL §16.7); undefined: it is on.
  const disabledReason = createDisabledReason({
    account,
    problems,
    planning: planned.isFetching,
    hasJob: job !== undefined,
    busy,
    funds,
    escrow: job?.escrow,
  });

  // When the allowance is short: approve exactly the escrow, then create (two transactions); or,
  // when chosen, an EIP-2612 permit (one signature, one transaction) that allows the market any
  // amount, as createJobWithPermit applies 2^256 − 1 (PROTOCOL §16.4, §16.7).
  const create = async () => {
    if (!job || !account || disabledReason !== undefined) return;
    await tx.run("Create job", async (step) => {
      const walletClient = await getWalletClient(config, { account });
      await createJob(
        { publicClient: getPublicClient(config) as PublicClient, walletClient },
        {
          ...job.parameters,
          market: deployment.contracts.JobMarket,
          approval: usePermit ? "permit" : "approve",
          onStep: (s) => step.report(STEP_LABELS[s.step], s.status === "pending" ? s.hash : undefined),
        },
      );
    });
  };

  return (
    <section className="page">
      <h2>Create a job</h2>
      <details className="templates" open data-testid="templates">
        <summary>Start from a template</summary>
        <TemplateGallery chosen={template} onChoose={chooseTemplate} />
      </details>
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
            <option value="llm-inference">LLM inference (verified)</option>
          </select>
        </label>
        {isLlm ? (
          <LlmFields llm={llm} setLlm={setLlm} />
        ) : form.kind === "matmul-int8" ? (
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
              Command (a JSON array, or words; quotes group)
              <input value={form.command} onChange={set("command")} spellCheck={false} data-testid="job-command" />
            </label>
            <label>
              GPUs
              <input value={form.gpus} onChange={set("gpus")} inputMode="numeric" placeholder="0" />
            </label>
            <label>
              Memory (MiB)
              <input value={form.memoryMiB} onChange={set("memoryMiB")} inputMode="numeric" placeholder="2048" />
            </label>
            <label>
              CPU (1000 = one CPU)
              <input value={form.milliCpus} onChange={set("milliCpus")} inputMode="numeric" placeholder="1000" />
            </label>
            <label>
              Timeout per run (s)
              <input value={form.timeoutSec} onChange={set("timeoutSec")} inputMode="numeric" placeholder="3600" />
            </label>
            <label className="wide">
              Items (one JSON value a line; empty: one run)
              <textarea value={form.items} onChange={set("items")} rows={3} data-testid="job-items" />
            </label>
            {form.items.trim() === "" ? (
              <label>
                GPU-seconds (one run)
                <input value={form.gpuSecondsPerShard} onChange={set("gpuSecondsPerShard")} inputMode="numeric" />
              </label>
            ) : (
              <>
                <label>
                  Seconds per item
                  <input value={form.itemSeconds} onChange={set("itemSeconds")} inputMode="decimal" />
                </label>
                <label>
                  …on a GPU of (ops/s)
                  <input value={form.referenceOpsPerSec} onChange={set("referenceOpsPerSec")} inputMode="numeric" />
                </label>
              </>
            )}
          </>
        )}
        <label>
          Plan for
          <select value={form.objective} onChange={set("objective")} data-testid="plan-objective">
            <option value="fastest">fastest (budget)</option>
            <option value="cheapest">cheapest (deadline)</option>
          </select>
        </label>
        {form.objective === "fastest" ? (
          <label>
            Budget (RGL)
            <input value={form.budget} onChange={set("budget")} inputMode="decimal" data-testid="plan-budget" />
            {isLlm && built.job && (
              <span className="muted" data-testid="plan-budget-tokens">
                {budgetTokens(form.budget, built.job.maxPricePerUnit)}
              </span>
            )}
          </label>
        ) : (
          <label>
            Finish within (seconds)
            <input
              value={form.withinSeconds}
              onChange={set("withinSeconds")}
              inputMode="numeric"
              data-testid="plan-within"
            />
          </label>
        )}
        <label>
          Max shards
          <input value={form.shards} onChange={set("shards")} inputMode="numeric" data-testid="job-shards" />
        </label>
        {isLlm ? (
          <label>
            Max price per 1,000 tokens (RGL)
            <input
              value={llm.pricePer1kTokens}
              onChange={(e) => setLlm((l) => ({ ...l, pricePer1kTokens: e.target.value }))}
              inputMode="decimal"
              data-testid="llm-price-1k"
            />
          </label>
        ) : (
          <label>
            Max price per unit (RGL)
            <input
              value={form.maxPricePerUnit}
              onChange={set("maxPricePerUnit")}
              inputMode="decimal"
              data-testid="job-price"
            />
          </label>
        )}
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
        <label className="double">
          GPU models (any of, comma-separated)
          <input
            value={form.gpuModels}
            onChange={set("gpuModels")}
            placeholder="any model, e.g. H100, RTX 4090"
            data-testid="job-gpu-models"
          />
        </label>
        <label className="double">
          Results store (upload URL, optional)
          <input
            value={form.uploadUrl ?? ""}
            onChange={set("uploadUrl")}
            placeholder="e.g. https://store.example/v1/store: results stay after the operator goes offline"
            spellCheck={false}
            data-testid="job-upload-url"
          />
        </label>
        {built.job && built.job.notes.length > 0 && (
          <ul className="wide notes" data-testid="form-notes" role="status">
            {built.job.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        )}
        <div className="wide summary" data-testid="job-summary">
          {problems.length > 0 ? (
            <ul className="error">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : job && isLlm ? (
            <>
              <div>
                {job.params.shards} shard{job.params.shards > 1 ? "s" : ""} × at most{" "}
                <span data-testid="job-tokens">{job.params.maxUnitsPerShard.toString()}</span> tokens ×{" "}
                {formatToken(perThousandTokensFromPricePerUnit(job.params.maxPricePerUnit), "RGL", 18)} per 1,000 tokens
                = escrow <strong data-testid="job-escrow">{formatToken(job.escrow)}</strong>
              </div>
              <div className="muted">
                A token is a unit: the operator is paid for prompt + generated tokens, the unused escrow is refunded.
              </div>
              <div className="muted mono">spec hash {job.params.specHash}</div>
            </>
          ) : job ? (
            <>
              <div>
                {job.params.shards} shard{job.params.shards > 1 ? "s" : ""} × at most{" "}
                {job.params.maxUnitsPerShard.toString()} unit
                {job.params.maxUnitsPerShard === 1n ? "" : "s"} × {formatToken(job.params.maxPricePerUnit)} = escrow{" "}
                <strong data-testid="job-escrow">{formatToken(job.escrow)}</strong>
              </div>
              <div className="muted mono">spec hash {job.params.specHash}</div>
            </>
          ) : (
            <div className="muted">The escrow follows from the plan.</div>
          )}
        </div>
        {built.job && plannable && request.request && (
          <PlanView
            plan={planned.data && exactTokenPlan(built.job.spec, planned.data.plan, built.job.maxPricePerUnit)}
            error={planned.error ?? undefined}
            loading={planned.isFetching}
            workUnit={built.job.spec.kind === "matmul-int8" ? "rows" : "items"}
            unitName={isLlm ? "token" : "unit"}
          />
        )}
        {built.job && !plannable && (
          <div className="wide suggestion muted" data-testid="plan-none">
            A container job without items is one run: it is not planned, and any eligible operator may take it.
          </div>
        )}
        {job && <SpecJson spec={job.spec} specHash={job.params.specHash} />}
        <div className="wide create-row">
          <button
            type="submit"
            disabled={disabledReason !== undefined}
            title={
              disabledReason ?? `Escrow ${job ? formatToken(job.escrow) : ""} moves from your wallet to the market`
            }
            data-testid="create-job"
          >
            Approve and create job
          </button>
          {account && <WalletBalances funds={funds} />}
          {disabledReason !== undefined && (
            <span className="muted why" data-testid="create-job-why">
              {disabledReason}
            </span>
          )}
          <label className="checkbox">
            <input
              type="checkbox"
              checked={usePermit}
              onChange={(e) => setUsePermit(e.target.checked)}
              data-testid="use-permit"
            />
            One signature instead of an approve (EIP-2612 permit: allows the market any amount of RGL)
          </label>
          <TxStatus state={tx.state} />
        </div>
      </form>
      <h2>Owed to you</h2>
      {account ? (
        <OwedPanel
          account={account}
          caption="Refunds of your jobs (unused escrow, cancelled, expired and failed shards) are credited to you in the market; withdraw them to your wallet."
        />
      ) : (
        <p className="muted">Connect a wallet to see what the market owes you.</p>
      )}
      <h2>Your jobs</h2>
      {account ? <JobList developer={account} /> : <p className="muted">Connect a wallet to see your jobs.</p>}
    </section>
  );
}
