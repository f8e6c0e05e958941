import type { Express, Request } from "express";
import type { Address, Hex } from "viem";
import { HttpError } from "../../sdk/errors/HttpError";
import { parseChallengeRequest, parseCommitRootRequest, parseRevealRequest } from "../../sdk/oracleApi/types";
import { handler } from "../http/oracleRoutes";
import type { OracleMetrics } from "../metrics";
import type { CapacityService } from "./capacityService";

const ID = /^0x[0-9a-fA-F]{64}$/;

function challengeId(req: Request): Hex {
  const id = (req.params as { id: string }).id;
  if (!ID.test(id))
    throw new HttpError(400, "ORACLE_BAD_FIELD", "id: must be 32 bytes of 0x-hex", { details: { field: "id" } });
  return id.toLowerCase() as Hex;
}

function sameOperator(signer: Address, operator: Address): void {
  if (signer !== operator)
    throw new HttpError(403, "ORACLE_WRONG_OPERATOR", "the request is not signed by the operator it names");
}

/** Mounts the capacity-challenge endpoints (PROTOCOL §13, §13.2), operator and peer side. */
export function mountCapacityRoutes(
  app: Express,
  p: { capacity: CapacityService; authenticate: (req: Request) => Promise<Address>; metrics: OracleMetrics },
): void {
  const { capacity, authenticate, metrics } = p;
  app.post(
    "/v1/capacity/challenges",
    handler(metrics, async (req, res) => {
      const signer = await authenticate(req);
      const request = parseChallengeRequest(req.body);
      sameOperator(signer, request.operator);
      res.status(201).json(await capacity.issue(request));
    }),
  );
  app.get(
    "/v1/capacity/challenges",
    handler(metrics, async (req, res) => {
      const operator = req.query.operator;
      if (typeof operator !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(operator))
        throw new HttpError(400, "ORACLE_BAD_FIELD", "operator: must be an address", {
          details: { field: "operator" },
        });
      res.json({ challenges: capacity.list(operator as Address) });
    }),
  );
  app.post(
    "/v1/capacity/challenges/:id/root",
    handler(metrics, async (req, res) => {
      const signer = await authenticate(req);
      res.json(await capacity.commitRoot(challengeId(req), parseCommitRootRequest(req.body).root, signer));
    }),
  );
  app.get(
    "/v1/capacity/challenges/:id/nonce",
    handler(metrics, async (req, res) => {
      res.json(capacity.nonce(challengeId(req)));
    }),
  );
  app.post(
    "/v1/capacity/challenges/:id/reveal",
    handler(metrics, async (req, res) => {
      const signer = await authenticate(req);
      res.json(await capacity.reveal(challengeId(req), parseRevealRequest(req.body).rows, signer));
    }),
  );
  // Peer side: calls signed by another committee member's key.
  app.post(
    "/v1/peer/capacity/challenges",
    handler(metrics, async (req, res) => {
      await capacity.witnessChallenge(req.body, await authenticate(req));
      res.status(204).end();
    }),
  );
  app.post(
    "/v1/peer/capacity/challenges/:id/root",
    handler(metrics, async (req, res) => {
      const signer = await authenticate(req);
      await capacity.witnessRoot(challengeId(req), parseCommitRootRequest(req.body).root, signer);
      res.status(204).end();
    }),
  );
  app.post(
    "/v1/peer/capacity/cosign",
    handler(metrics, async (req, res) => {
      res.json(await capacity.cosign(req.body, await authenticate(req)));
    }),
  );
}
