import type { Address, Hex, LocalAccount } from "viem";
import { RequestTimestamps } from "../auth/requestTimestamps";
import { signRequest } from "../auth/signRequest";
import { RigelError } from "../errors/RigelError";
import {
  parseClaimResponse,
  parseChallengeListResponse,
  parseCapacityChallengeJson,
  parseErrorResponse,
  parseHealthResponse,
  parseNonceResponse,
  parseProofResponse,
  parseSignedCapacityAttestation,
  parseSignedShardAttestation,
  parseMissingVerdicts,
  parseVerdictBatchSignature,
  type CapacityChallengeJson,
  type ChallengeListResponse,
  type ChallengeRequest,
  type ClaimRequest,
  type ClaimResponse,
  type HealthResponse,
  type NonceResponse,
  type ProofRequest,
  type ProofResponse,
  type RevealRequest,
  type SignedCapacityAttestation,
  type SignedShardAttestation,
  type ShardRefJson,
  type VerdictBatchRequest,
  type VerdictBatchSignature,
} from "./types";

/**
 * What a peer answered a co-sign request with: its signature, or the leaves its decision store does
 * not hold (409 `ORACLE_BATCH_UNKNOWN_VERDICTS`). Every other refusal is thrown.
 */
export type VerdictBatchCosignResult =
  ({ status: "signed" } & VerdictBatchSignature) | { status: "missing"; missing: ShardRefJson[] };

/** An oracle answered with an error status: its `code`, `message` and `details`, and the HTTP status. */
export class OracleRequestError extends RigelError {
  override readonly name = "OracleRequestError";
  constructor(
    readonly status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(code, message, { details: { status, ...details }, cause });
  }
}

/** The oracle could not be reached, or answered something that is not the API's JSON. */
export class OracleUnavailableError extends RigelError {
  override readonly name = "OracleUnavailableError";
}

/** Options of an {@link OracleClient}. */
export interface OracleClientParameters {
  /** The oracle's base URL, e.g. `http://127.0.0.1:8631`. */
  baseUrl: string;
  /** The operator key that signs requests (PROTOCOL §4.2). Needed for the signed calls only. */
  account?: LocalAccount;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** A fetch to use instead of the global one (tests). */
  fetch?: typeof fetch;
  /** The clock, in ms since the epoch (default `Date.now`; tests freeze it). */
  now?: () => number;
}

/**
 * A typed client of one oracle's HTTP API (docs/PROTOCOL.md, "Oracle HTTP API"). Signed calls
 * carry the operator's `x-rigel-*` headers; error answers become {@link OracleRequestError} with the
 * server's code and message; every answer is validated before it is returned. A repeated request
 * (a retry) is signed with a later timestamp than the last identical one ({@link RequestTimestamps}),
 * so the oracle's replay guard never refuses it.
 */
export class OracleClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly timestamps = new RequestTimestamps();

  constructor(private readonly p: OracleClientParameters) {
    this.baseUrl = p.baseUrl.replace(/\/+$/, "");
    this.fetchFn = p.fetch ?? fetch;
    this.now = p.now ?? Date.now;
  }

  /** `POST /v1/proofs`: the signed verdict, or `pending` while the oracle has not seen the submission. */
  async submitProof(proof: ProofRequest): Promise<ProofResponse> {
    return parseProofResponse(await this.request("POST", "/v1/proofs", proof, true));
  }

  /**
   * `POST /v1/claims` (PROTOCOL §20.10): claims an assigned, still Open shard's result at this
   * oracle; the answer is this oracle's nonce and the beacon to prove against (`submitProof` with
   * `claim: true`).
   */
  async claim(request: ClaimRequest): Promise<ClaimResponse> {
    return parseClaimResponse(await this.request("POST", "/v1/claims", request, true));
  }

  /** `GET /v1/attestations/:jobId/:shard`; undefined when this oracle has not decided yet. */
  async getAttestation(jobId: bigint, shard: number): Promise<SignedShardAttestation | undefined> {
    const json = await this.request("GET", `/v1/attestations/${jobId}/${shard}`, undefined, false, [404]);
    return json === undefined ? undefined : parseSignedShardAttestation(json);
  }

  /** `POST /v1/capacity/challenges`: ask for a capacity challenge sized to the claim. */
  async requestChallenge(request: ChallengeRequest): Promise<CapacityChallengeJson> {
    return parseCapacityChallengeJson(await this.request("POST", "/v1/capacity/challenges", request, true));
  }

  /** `GET /v1/capacity/challenges?operator=…`: the challenges this oracle issued to an operator. */
  async listChallenges(operator: Address): Promise<ChallengeListResponse> {
    return parseChallengeListResponse(await this.request("GET", `/v1/capacity/challenges?operator=${operator}`));
  }

  /** `POST /v1/capacity/challenges/:id/root`: commit the result root; the answer carries the nonce. */
  async commitRoot(challengeId: Hex, root: Hex): Promise<NonceResponse> {
    return parseNonceResponse(
      await this.request("POST", `/v1/capacity/challenges/${challengeId}/root`, { root }, true),
    );
  }

  /** `GET /v1/capacity/challenges/:id/nonce`: the nonce again (after the root was committed). */
  async getNonce(challengeId: Hex): Promise<NonceResponse> {
    return parseNonceResponse(await this.request("GET", `/v1/capacity/challenges/${challengeId}/nonce`));
  }

  /** `POST /v1/capacity/challenges/:id/reveal`: the sampled rows; the answer is the attestation with its quorum. */
  async reveal(challengeId: Hex, reveal: RevealRequest): Promise<SignedCapacityAttestation> {
    return parseSignedCapacityAttestation(
      await this.request("POST", `/v1/capacity/challenges/${challengeId}/reveal`, reveal, true),
    );
  }

  /**
   * `POST /v1/verdict-batches` (*peer*-signed with the client's account, a committee member's key;
   * PROTOCOL §13, §20.6): the peer's signature over the batch, or the leaves it lacks.
   */
  async cosignVerdictBatch(request: VerdictBatchRequest): Promise<VerdictBatchCosignResult> {
    try {
      const answer = parseVerdictBatchSignature(await this.request("POST", "/v1/verdict-batches", request, true));
      return { status: "signed", ...answer };
    } catch (err) {
      if (err instanceof OracleRequestError && err.status === 409 && err.code === "ORACLE_BATCH_UNKNOWN_VERDICTS")
        return { status: "missing", missing: parseMissingVerdicts(err.details) };
      throw err;
    }
  }

  /** `GET /healthz` (a 503 answer is returned as `ok: false`, not thrown). */
  async health(): Promise<HealthResponse> {
    return parseHealthResponse(await this.request("GET", "/healthz", undefined, false, [503]));
  }

  /** A timestamp no identical request of this client was signed with (waits while too far ahead). */
  private async stamp(method: string, path: string, body: string): Promise<number> {
    for (;;) {
      const timestamp = this.timestamps.next({ method, path, body }, Math.floor(this.now() / 1000));
      if (timestamp !== undefined) return timestamp;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private async request(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    signed = false,
    passStatuses: number[] = [],
  ): Promise<unknown> {
    const text = body === undefined ? "" : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (signed) {
      if (!this.p.account)
        throw new RigelError(
          "ORACLE_CLIENT_NO_ACCOUNT",
          `${method} ${path} must be signed: give the client an account`,
        );
      Object.assign(
        headers,
        await signRequest(this.p.account, {
          method,
          path,
          body: text,
          timestamp: await this.stamp(method, path, text),
        }),
      );
    }
    let response: Response;
    try {
      response = await this.fetchFn(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : text,
        signal: AbortSignal.timeout(this.p.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new OracleUnavailableError("ORACLE_UNREACHABLE", `${method} ${this.baseUrl}${path} failed`, { cause: err });
    }
    const raw = await response.text();
    let json: unknown;
    try {
      json = raw === "" ? undefined : JSON.parse(raw);
    } catch (err) {
      throw new OracleUnavailableError("ORACLE_BAD_RESPONSE", `${method} ${path}: answer is not JSON`, {
        cause: err,
        details: { status: response.status },
      });
    }
    if (response.ok) return json;
    if (passStatuses.includes(response.status)) return response.status === 404 ? undefined : json;
    const error = parseErrorResponse(json);
    throw new OracleRequestError(
      response.status,
      error?.code ?? "ORACLE_HTTP_ERROR",
      error?.message ?? `${method} ${path} answered HTTP ${response.status}`,
      error?.details ?? {},
    );
  }
}
