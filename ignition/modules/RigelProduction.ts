// The production profile (docs/DEPLOYMENT.md): a timelock delay of days, the multisig or Governor
// given as the `governance` parameter proposes and cancels, anyone executes a ready operation, the
// genesis supply goes to `genesisRecipient`, and the deployer holds no role in any contract, the
// timelock included, once the deployment ends. Deploy with scripts/deploy.ts and RIGEL_PROFILE=production,
// which checks the parameters first (ignition/parameters/production.json).
import { buildRigel, type RigelDefaults } from "./buildRigel";

const E18 = 10n ** 18n;
const DAY = 86_400n;

/** The shortest timelock delay scripts/deploy.ts accepts for the production profile. */
export const PRODUCTION_MIN_DELAY = 2n * DAY;

/** Production defaults (docs/DEPLOYMENT.md gives the reason for each). */
export const PRODUCTION_DEFAULTS = {
  tokenCap: 1_000_000_000n * E18,
  genesisSupply: 100_000_000n * E18,
  timelockMinDelay: PRODUCTION_MIN_DELAY,
  committeeThreshold: 3n,
  oracleBond: 100_000n * E18,
  reporterRewardBps: 1_000n,
  bondUnbondingPeriod: 14n * DAY,
  maxAttestationLifetime: 7n * DAY,
  unbondingPeriod: 14n * DAY,
  jailPeriod: 7n * DAY,
  commissionDelay: 7n * DAY,
  minDelegation: 100n * E18,
  epochLength: DAY,
  initialEmission: 400_000n * E18,
  decayBps: 5n,
  workShareBps: 7_000n,
  workRewardCapBps: 5_000n,
  feeBps: 250n,
  collateralRatioBps: 15_000n,
  verifyWindow: 6n * 3_600n,
  invalidSlashBps: 10_000n,
  invalidDeveloperBps: 5_000n,
  noShowSlashBps: 1_000n,
  noShowDeveloperBps: 10_000n,
} satisfies RigelDefaults;

export default buildRigel("RigelProduction", "production", PRODUCTION_DEFAULTS);
