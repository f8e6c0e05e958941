import type { Address } from "viem";
import { useConfig, useReadContract } from "wagmi";
import { writeChecked } from "../wallet/writeChecked";
import { jobMarketAbi } from "../../../sdk/contracts/abis";
import { useJobs } from "../chain/queries";
import type { JobRow, ShardRow } from "../chain/readJobs";
import { formatDuration, formatToken, shortAddress } from "../lib/format";
import { useRigel } from "../RigelContext";
import { useChainNow } from "../wallet/useChainNow";
import { downloadResult } from "../wallet/downloadResult";
import { useTx } from "../wallet/useTx";
import { TxStatus } from "./TxStatus";

/** The verdict column: what the committee said, and how much that means. */
export function verdictLabel(job: Pick<JobRow, "kind" | "verificationMode">, shard: Pick<ShardRow, "state">): string {
  if (shard.state !== "Settled" && shard.state !== "Failed") return "—";
  const verdict = shard.state === "Settled" ? "Valid" : "Invalid";
  const how = job.kind === 0 || job.verificationMode === 0 ? "verified" : "attested, not verified";
  return `${verdict} (${how})`;
}

function ShardLine({
  job,
  shard,
  now,
  developer,
  verifyWindow,
}: {
  job: JobRow;
  shard: ShardRow;
  now?: bigint;
  developer: Address;
  verifyWindow?: bigint;
}) {
  const { deployment } = useRigel();
  const config = useConfig();
  const tx = useTx();
  const expirable =
    now !== undefined &&
    ((shard.state === "Accepted" && now > job.deadline) ||
      (shard.state === "Submitted" && verifyWindow !== undefined && now > shard.submittedAt + verifyWindow));
  const who = shard.state === "Open" || shard.state === "Cancelled" ? "" : shortAddress(shard.operator);
  return (
    <tr data-testid={`shard-${job.id}-${shard.index}`}>
      <td>{shard.index}</td>
      <td data-testid="shard-state" className={`state state-${shard.state.toLowerCase()}`}>
        {shard.state}
      </td>
      <td className="mono">{who && <span title={shard.operator}>{who}</span>}</td>
      <td data-testid="shard-verdict">{verdictLabel(job, shard)}</td>
      <td>
        {shard.paid !== undefined && <div>paid {formatToken(shard.paid)}</div>}
        {shard.refund !== undefined && <div>refund {formatToken(shard.refund)}</div>}
      </td>
      <td>
        {expirable && (
          <button
            className="secondary"
            onClick={() =>
              void tx.run("Expire shard", (step) =>
                step.send("Expire shard", () =>
                  writeChecked(config, {
                    address: deployment.contracts.JobMarket,
                    abi: jobMarketAbi,
                    functionName: "expire",
                    args: [job.id, shard.index],
                  }),
                ),
              )
            }
          >
            Expire and refund
          </button>
        )}
        {shard.state === "Settled" && shard.resultURI && (
          <button
            className="secondary"
            data-testid={`download-${job.id}-${shard.index}`}
            onClick={() =>
              void tx.run("Download result", async (step) => {
                const blob = await step.ask("Sign the download request", () =>
                  downloadResult(config, developer, shard.resultURI, shard.resultRoot),
                );
                const a = document.createElement("a");
                a.href = URL.createObjectURL(blob);
                a.download = `job-${job.id}-shard-${shard.index}.json`;
                a.click();
              })
            }
          >
            Download result
          </button>
        )}
        <TxStatus state={tx.state} />
      </td>
    </tr>
  );
}

function JobCard({
  job,
  now,
  developer,
  verifyWindow,
}: {
  job: JobRow;
  now?: bigint;
  developer: Address;
  verifyWindow?: bigint;
}) {
  const { deployment } = useRigel();
  const config = useConfig();
  const tx = useTx();
  const open = job.shards.filter((s) => s.state === "Open").length;
  const left = now !== undefined && job.deadline > now ? job.deadline - now : 0n;
  return (
    <div className="card" data-testid={`job-${job.id}`}>
      <div className="card-head">
        <strong>Job #{job.id.toString()}</strong>
        <span>{job.kind === 0 ? "matmul-int8" : "container"}</span>
        <span>escrow held {formatToken(job.escrow)}</span>
        <span>{left > 0n ? `deadline in ${formatDuration(left)}` : "deadline passed"}</span>
      </div>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Shard</th>
              <th>State</th>
              <th>Operator</th>
              <th>Verdict</th>
              <th>Money</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {job.shards.map((s) => (
              <ShardLine
                key={s.index}
                job={job}
                shard={s}
                now={now}
                developer={developer}
                verifyWindow={verifyWindow}
              />
            ))}
          </tbody>
        </table>
      </div>
      {open > 0 && (
        <button
          className="secondary"
          data-testid={`cancel-${job.id}`}
          onClick={() =>
            void tx.run("Cancel job", (step) =>
              step.send("Cancel job", () =>
                writeChecked(config, {
                  address: deployment.contracts.JobMarket,
                  abi: jobMarketAbi,
                  functionName: "cancel",
                  args: [job.id],
                }),
              ),
            )
          }
        >
          Cancel {open} open shard{open > 1 ? "s" : ""} and refund
        </button>
      )}
      <TxStatus state={tx.state} />
    </div>
  );
}

/** The developer's jobs with a live status per shard. */
export function JobList({ developer }: { developer: Address }) {
  const jobs = useJobs(developer);
  const now = useChainNow();
  const { deployment } = useRigel();
  const params = useReadContract({
    address: deployment.contracts.JobMarket,
    abi: jobMarketAbi,
    functionName: "params",
  });
  if (jobs.isError) return <p className="error">Cannot read your jobs: the chain is unreachable.</p>;
  if (!jobs.data) return <p className="muted">Loading…</p>;
  if (jobs.data.length === 0) return <p className="muted">No jobs yet.</p>;
  return (
    <div data-testid="job-list">
      {jobs.data.map((job) => (
        <JobCard
          key={job.id.toString()}
          job={job}
          now={now}
          developer={developer}
          verifyWindow={params.data?.verifyWindow}
        />
      ))}
    </div>
  );
}
