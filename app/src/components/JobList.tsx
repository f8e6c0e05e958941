import { zeroAddress, type Address } from "viem";
import { useConfig } from "wagmi";
import { writeChecked } from "../wallet/writeChecked";
import { jobMarketAbi } from "../../../sdk/contracts/abis";
import { JobKind, jobKindName, ShardState, VerificationMode } from "../../../sdk/market/enums";
import { expirable } from "../../../sdk/market/expirable";
import { useJobs, useOperators } from "../chain/queries";
import { useLiveness } from "../chain/readLiveness";
import { shardWaitReason, type ShardWaitContext } from "../lib/shardWaitReason";
import type { JobRow, ShardRow } from "../chain/readJobs";
import { formatDuration, formatToken, shortAddress } from "../lib/format";
import { useRigel } from "../RigelContext";
import { useChainNow } from "../wallet/useChainNow";
import { useTx } from "../wallet/useTx";
import { ItemOutputs } from "./ItemOutputs";
import { JobMergedDownload, ShardDownload, ShardLiveLog } from "./ShardResults";
import { TxStatus } from "./TxStatus";

/** What a DeveloperFault verdict means for the developer (PROTOCOL §18.2). */
export const DEVELOPER_FAULT_LABEL =
  "Developer fault: developer's code failed — operator paid for time used, rest refunded";

/** The state column: the on-chain state's name, in words where it is two. */
export function stateLabel(shard: Pick<ShardRow, "state" | "stateName">): string {
  return shard.state === ShardState.DeveloperFault ? "Developer fault" : shard.stateName;
}

/** The verdict column: what the committee said, and how much that means. */
export function verdictLabel(job: Pick<JobRow, "kind" | "verificationMode">, shard: Pick<ShardRow, "state">): string {
  // The oracles re-ran the failing item themselves (twice), in either verification mode.
  if (shard.state === ShardState.DeveloperFault) return DEVELOPER_FAULT_LABEL;
  if (shard.state !== ShardState.Settled && shard.state !== ShardState.Failed) return "—";
  const verdict = shard.state === ShardState.Settled ? "Valid" : "Invalid";
  const how =
    job.kind === JobKind.MatmulInt8 ||
    job.verificationMode === VerificationMode.Sampled ||
    job.verificationMode === VerificationMode.Activations
      ? "verified"
      : "attested, not verified";
  return `${verdict} (${how})`;
}

function ShardLine({
  job,
  shard,
  now,
  developer,
  wait,
}: {
  job: JobRow;
  shard: ShardRow;
  now?: bigint;
  developer: Address;
  /** Why an Open shard waits (absent until the chain time is known). */
  wait?: ShardWaitContext;
}) {
  const { deployment } = useRigel();
  const config = useConfig();
  const tx = useTx();
  // The contract's own rule (sdk expirable): never an Accepted shard of a gang that has not started.
  const canExpire = now !== undefined && expirable({ job, shard, now });
  // An Open shard shows the operator it is assigned to, if any, and why it still waits.
  const who =
    shard.state === ShardState.Cancelled
      ? ""
      : shard.state === ShardState.Open
        ? shard.assigned === zeroAddress
          ? ""
          : shortAddress(shard.assigned)
        : shortAddress(shard.operator);
  const online =
    shard.state === ShardState.Open && shard.assigned !== zeroAddress ? wait?.liveness(shard.assigned) : undefined;
  const waitReason = wait && shardWaitReason(job, shard, wait);
  return (
    <tr data-testid={`shard-${job.jobId}-${shard.shard}`}>
      <td>{shard.shard}</td>
      <td data-testid="shard-state" className={`state state-${shard.stateName.toLowerCase()}`}>
        {stateLabel(shard)}
      </td>
      <td className="mono">
        {who && <span title={shard.state === ShardState.Open ? shard.assigned : shard.operator}>{who}</span>}
        {online && (
          <span className={online.online ? "online" : "error"} data-testid="shard-operator-liveness">
            {" "}
            {online.online ? "online" : "offline"}
          </span>
        )}
        {waitReason && (
          <div className="muted cell-note" data-testid="shard-wait-reason">
            {waitReason}
          </div>
        )}
      </td>
      <td data-testid="shard-verdict">{verdictLabel(job, shard)}</td>
      <td>
        {shard.paid !== undefined && <div>operator credited {formatToken(shard.paid)}</div>}
        {shard.fee !== undefined && shard.fee > 0n && <div className="muted">fee {formatToken(shard.fee)}</div>}
        {shard.refund !== undefined && <div>refund credited {formatToken(shard.refund)}</div>}
      </td>
      <td>
        {canExpire && (
          <button
            className="secondary"
            data-testid={`expire-${job.jobId}-${shard.shard}`}
            onClick={() =>
              void tx.run("Expire shard", (step) =>
                step.send("Expire shard", () =>
                  writeChecked(config, {
                    address: deployment.contracts.JobMarket,
                    abi: jobMarketAbi,
                    functionName: "expire",
                    args: [job.jobId, shard.shard],
                  }),
                ),
              )
            }
          >
            Expire and refund
          </button>
        )}
        {/* Result files and live logs: components/ShardResults.tsx (PROTOCOL §16.6). */}
        <ShardDownload job={job} shard={shard} developer={developer} />
        <ShardLiveLog job={job} shard={shard} developer={developer} />
        {shard.state === ShardState.Settled && shard.resultURI && job.kind === JobKind.LlmInference && (
          <ItemOutputs job={job} shard={shard} developer={developer} />
        )}
        <TxStatus state={tx.state} />
      </td>
    </tr>
  );
}

/** One job: its shards with their state, verdict, money and actions, and a cancel for the open ones. */
export function JobCard({ job, now, developer }: { job: JobRow; now?: bigint; developer: Address }) {
  const { deployment } = useRigel();
  const config = useConfig();
  const tx = useTx();
  const open = job.shards.filter((s) => s.state === ShardState.Open).length;
  const left = now !== undefined && job.deadline > now ? job.deadline - now : 0n;
  const refunded = job.shards.reduce((sum, s) => sum + (s.refund ?? 0n), 0n);
  const paid = job.shards.reduce((sum, s) => sum + (s.paid ?? 0n), 0n);
  const liveness = useLiveness();
  const operators = useOperators();
  const wait: ShardWaitContext | undefined =
    now === undefined
      ? undefined
      : {
          now,
          nowSec: Math.floor(Date.now() / 1000),
          liveness: (a) => liveness.of(a),
          operators: operators.data,
        };
  return (
    <div className="card" data-testid={`job-${job.jobId}`}>
      <div className="card-head">
        <strong>Job #{job.jobId.toString()}</strong>
        <span>{jobKindName(job.kind)}</span>
        <span>escrow held {formatToken(job.escrow)}</span>
        <span data-testid={`job-credited-${job.jobId}`}>
          credited: refund {formatToken(refunded)} to you, {formatToken(paid)} to operators
        </span>
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
              <ShardLine key={s.shard} job={job} shard={s} now={now} developer={developer} wait={wait} />
            ))}
          </tbody>
        </table>
      </div>
      <JobMergedDownload job={job} developer={developer} />
      {open > 0 && (
        <button
          className="secondary"
          data-testid={`cancel-${job.jobId}`}
          onClick={() =>
            void tx.run("Cancel job", (step) =>
              step.send("Cancel job", () =>
                writeChecked(config, {
                  address: deployment.contracts.JobMarket,
                  abi: jobMarketAbi,
                  functionName: "cancel",
                  args: [job.jobId],
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
  if (jobs.isError) return <p className="error">Cannot read your jobs: the chain is unreachable.</p>;
  if (!jobs.data) return <p className="muted">Loading your jobs…</p>;
  if (jobs.data.length === 0) return <p className="muted">No jobs yet.</p>;
  return (
    <div data-testid="job-list">
      {jobs.data.map((job) => (
        <JobCard key={job.jobId.toString()} job={job} now={now} developer={developer} />
      ))}
    </div>
  );
}
