// Unit-test doubles of the oracles' claim API (PROTOCOL §20.10), in-process: each one answers
// `POST /v1/claims` with its own nonce (drawn once per shard, the same answer again), checks a
// `claim: true` matmul proof against the beacon of THAT nonce exactly as an oracle would, and signs
// the Valid attestation with its own committee key (expiry = the job's deadline). A mode scripts an
// oracle that is old (404), refuses (422) or cannot be reached.
import { keccak256, toHex, type Hex, type LocalAccount } from "viem";
import type { AgentChain } from "../../../agent/chain/agentChain";
import { committeeGateway } from "../../../agent/oracle/committeeGateway";
import type { OracleGateway } from "../../../agent/oracle/oracleGateway";
import { signShardAttestation } from "../../../sdk/eip712/shardAttestation";
import { rigelDomain, Verdict, type ShardAttestation } from "../../../sdk/eip712/types";
import type { Logger } from "../../../sdk/log/createLogger";
import { OracleRequestError, OracleUnavailableError, type OracleClient } from "../../../sdk/oracleApi/client";
import {
  shardAttestationToJson,
  type ClaimRequest,
  type ClaimResponse,
  type ProofRequest,
  type ProofResponse,
  type SignedShardAttestation,
} from "../../../sdk/oracleApi/types";
import { claimBeacon } from "../../../sdk/pow/beacon";
import { committeeDouble, hardhatAccount, matmulProofValid } from "../../../fixtures/agentHarness";

/** How a double answers: as a claims-capable oracle, an old one (404), a refusal (422 code), or not at all. */
export type ClaimOracleMode = "ok" | "404" | "unreachable" | { refuse: string };

/** One oracle double: its calls, the nonce it drew per shard, and its mode (changeable mid-test). */
export interface ClaimOracle {
  client: OracleClient;
  mode: ClaimOracleMode;
  claims: ClaimRequest[];
  proofs: ProofRequest[];
  nonces: Map<string, Hex>;
}

export function claimOracle(chain: AgentChain, account: LocalAccount, mode: ClaimOracleMode = "ok"): ClaimOracle {
  const decided = new Map<string, SignedShardAttestation>();
  const self: ClaimOracle = { mode, claims: [], proofs: [], nonces: new Map(), client: undefined as never };
  const refuse = (): never => {
    if (self.mode === "404") throw new OracleRequestError(404, "NOT_FOUND", "no such route");
    if (self.mode === "unreachable") throw new OracleUnavailableError("ORACLE_UNREACHABLE", "connect ECONNREFUSED");
    throw new OracleRequestError(422, (self.mode as { refuse: string }).refuse, "refused");
  };
  self.client = {
    async claim(req: ClaimRequest): Promise<ClaimResponse> {
      if (self.mode !== "ok") refuse();
      self.claims.push(req);
      const key = `${req.jobId}/${req.shard}`;
      const nonce = self.nonces.get(key) ?? keccak256(toHex(`${account.address}:${key}:${Math.random()}`));
      self.nonces.set(key, nonce);
      const job = await chain.getJob(BigInt(req.jobId));
      return {
        status: "claimed",
        nonce,
        beacon: beaconOf(chain, req, nonce),
        expiry: job.deadline.toString(),
      };
    },
    async submitProof(body: ProofRequest): Promise<ProofResponse> {
      if (self.mode !== "ok") refuse();
      self.proofs.push(body);
      const key = `${body.jobId}/${body.shard}`;
      const nonce = self.nonces.get(key);
      if (!body.claim || !nonce) throw new OracleRequestError(409, "ORACLE_SHARD_MISMATCH", "not claimed here");
      const jobId = BigInt(body.jobId);
      const beacon = beaconOf(chain, body, nonce);
      const proof = { jobId, shard: body.shard, operator: body.operator, root: body.resultRoot, units: 0n, beacon };
      const valid = await matmulProofValid(chain, { ...proof, kind: "matmul-int8", rows: body.rows });
      if (!valid) throw new OracleRequestError(422, "ORACLE_CLAIM_REFUSED", "sampled rows do not verify");
      const job = await chain.getJob(jobId);
      const attestation: ShardAttestation = {
        market: chain.contracts.JobMarket,
        jobId,
        shard: body.shard,
        operator: body.operator,
        resultRoot: body.resultRoot,
        verdict: Verdict.Valid,
        units: BigInt(body.units),
        expiry: job.deadline,
      };
      const domain = rigelDomain(chain.chainId, chain.contracts.OracleCommittee);
      const answer: SignedShardAttestation = {
        status: "signed",
        attestation: shardAttestationToJson(attestation),
        signer: account.address,
        signature: (await signShardAttestation(account, domain, attestation)) as Hex,
        verified: true,
        reason: "verified",
      };
      decided.set(key, answer);
      return answer;
    },
    async getAttestation(jobId: bigint, shard: number) {
      return decided.get(`${jobId}/${shard}`);
    },
  } as unknown as OracleClient;
  return self;
}

function beaconOf(chain: AgentChain, req: { jobId: string; shard: number; resultRoot: Hex }, nonce: Hex): Hex {
  return claimBeacon({
    chainId: chain.chainId,
    jobMarket: chain.contracts.JobMarket,
    jobId: BigInt(req.jobId),
    shard: req.shard,
    root: req.resultRoot,
    nonce,
  });
}

/**
 * The fixture's committee (Hardhat accounts 12-14, threshold 2) as claim doubles behind the real
 * committee gateway's `claimShard`; the on-chain path (`attestShard`) is the committee double.
 */
export function claimCommittee(
  chain: AgentChain,
  logger: Logger,
  modes: ClaimOracleMode[] = ["ok", "ok", "ok"],
): { gateway: OracleGateway; oracles: ClaimOracle[] } {
  const oracles = modes.map((mode, i) => claimOracle(chain, hardhatAccount(12 + i), mode));
  return { oracles, gateway: claimGateway(chain, logger, oracles) };
}

/**
 * A fresh agent-side gateway (as after a restart: nothing remembered in the process) over existing
 * oracle doubles (which keep their claims and nonces, as real oracles do).
 */
export function claimGateway(chain: AgentChain, logger: Logger, oracles: readonly ClaimOracle[]): OracleGateway {
  const claims = committeeGateway({
    clients: oracles.map((o) => o.client),
    threshold: async () => 2,
    logger,
    transientRetries: 0,
    sleep: async () => undefined,
  });
  const onChain = committeeDouble(chain);
  return { attestShard: (proof) => onChain.attestShard(proof), claimShard: claims.claimShard };
}
