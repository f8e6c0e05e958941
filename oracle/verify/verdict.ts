/**
 * A verifier's finding about a shard (docs/PROTOCOL.md §13.1, §18.1): Valid with the units the work
 * is worth, Invalid (the operator's fault, proven) or DeveloperFault (the developer's code failed or
 * is not reproducible, §18.2), each with why.
 */
export type VerifierFinding =
  | { verdict: "valid"; reason: string; verified: boolean; workUnits?: bigint }
  | { verdict: "invalid"; reason: string; verified: boolean }
  | { verdict: "developerFault"; reason: string; verified: boolean };
