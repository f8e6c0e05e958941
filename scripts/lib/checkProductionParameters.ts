// The checks scripts/deploy.ts runs on the production profile's parameters before it deploys
// (docs/DEPLOYMENT.md): a governance that is a contract (a multisig or a Governor), a genesis
// recipient, and a timelock delay of at least two days. Every problem is reported at once.
import { isAddress, ZeroAddress } from "ethers";
import { PRODUCTION_DEFAULTS, PRODUCTION_MIN_DELAY } from "../../ignition/modules/RigelProduction";

/** Thrown with every problem found in the production parameters. */
export class ProductionParametersError extends Error {
  constructor(readonly problems: string[]) {
    super(`production parameters refused:\n  - ${problems.join("\n  - ")}`);
    this.name = "ProductionParametersError";
  }
}

/**
 * Throws ProductionParametersError unless `params` (the `RigelProduction` entry of an Ignition
 * parameters file) name a governance contract (`getCode` returns its code), a non-zero genesis
 * recipient and a timelock delay of at least PRODUCTION_MIN_DELAY (its default when absent).
 */
export async function checkProductionParameters(
  params: Record<string, unknown>,
  getCode: (address: string) => Promise<string>,
): Promise<void> {
  const problems: string[] = [];
  const governance = String(params.governance ?? "");
  if (!isAddress(governance) || governance === ZeroAddress) {
    problems.push(`governance must be the multisig or Governor address, got "${governance}"`);
  } else if ((await getCode(governance)) === "0x") {
    problems.push(`governance ${governance} has no code: a multisig or Governor contract is required, not a key`);
  }
  const recipient = String(params.genesisRecipient ?? "");
  if (!isAddress(recipient) || recipient === ZeroAddress) {
    problems.push(`genesisRecipient must be the treasury address, got "${recipient}"`);
  }
  const delay = BigInt(String(params.timelockMinDelay ?? PRODUCTION_DEFAULTS.timelockMinDelay));
  if (delay < PRODUCTION_MIN_DELAY) {
    problems.push(`timelockMinDelay must be at least ${PRODUCTION_MIN_DELAY} s (2 days), got ${delay}`);
  }
  if (problems.length > 0) throw new ProductionParametersError(problems);
}
