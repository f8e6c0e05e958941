/** A verifier's finding about a shard: Valid with the units the work is worth, or Invalid with why. */
export type VerifierFinding =
  | { valid: true; reason: string; verified: boolean; workUnits?: bigint }
  | { valid: false; reason: string; verified: boolean };
