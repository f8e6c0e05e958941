// The dev profile: deploys and wires the whole protocol; at the end every admin role belongs to the
// timelock and the deployer holds no role on any protocol contract, but stays the timelock's proposer
// and canceller with a zero delay so that the demo's scripts can govern (docs/DEPLOYMENT.md,
// docs/PROTOCOL.md §11). The production profile is RigelProduction.ts.
import { buildRigel, type RigelDefaults } from "./buildRigel";

const E18 = 10n ** 18n;

/** Defaults for the dev chain (demo timings; docs/PROTOCOL.md §11, with the production values). */
export const DEV_DEFAULTS = {
  tokenCap: 1_000_000_000n * E18,
  genesisSupply: 100_000_000n * E18,
  timelockMinDelay: 0n,
  committeeThreshold: 2n,
  oracleBond: 1_000n * E18,
  reporterRewardBps: 1_000n,
  bondUnbondingPeriod: 120n,
  maxAttestationLifetime: 7n * 86_400n,
  unbondingPeriod: 120n,
  jailPeriod: 3_600n,
  commissionDelay: 60n,
  minDelegation: E18,
  epochLength: 60n,
  initialEmission: 1_000n * E18,
  decayBps: 1n,
  workShareBps: 7_000n,
  workRewardCapBps: 5_000n,
  feeBps: 250n,
  collateralRatioBps: 15_000n,
  verifyWindow: 3_600n,
  invalidSlashBps: 10_000n,
  invalidDeveloperBps: 5_000n,
  noShowSlashBps: 1_000n,
  noShowDeveloperBps: 10_000n,
} satisfies RigelDefaults;

export default buildRigel("Rigel", "dev", DEV_DEFAULTS);
