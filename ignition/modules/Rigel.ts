// Deploys and wires the whole protocol; at the end every admin role belongs to the timelock and
// the deployer holds no role on any protocol contract (docs/PROTOCOL.md §11).
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

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
};

const ZERO = "0x0000000000000000000000000000000000000000";
const DEFAULT_ADMIN_ROLE = "0x0000000000000000000000000000000000000000000000000000000000000000";

export default buildModule("Rigel", (m) => {
  const deployer = m.getAccount(0);
  const p = <K extends keyof typeof DEV_DEFAULTS>(k: K) => m.getParameter(k, DEV_DEFAULTS[k]);

  // The deployer proposes on the dev chain only (docs/PROTOCOL.md §11); anyone may execute a ready operation;
  // the timelock administers itself.
  const timelock = m.contract("TimelockController", [p("timelockMinDelay"), [deployer], [ZERO], ZERO]);

  const rgl = m.contract("ComputeToken", [deployer, deployer, p("genesisSupply"), p("tokenCap")]);
  const committee = m.contract("OracleCommittee", [
    rgl,
    deployer,
    p("committeeThreshold"),
    p("oracleBond"),
    p("reporterRewardBps"),
    p("bondUnbondingPeriod"),
  ]);
  const staking = m.contract("OperatorStaking", [
    rgl,
    committee,
    deployer,
    p("unbondingPeriod"),
    p("jailPeriod"),
    p("commissionDelay"),
    p("minDelegation"),
  ]);
  const rewards = m.contract("RewardsDistributor", [
    deployer,
    rgl,
    staking,
    {
      genesis: 0n,
      epochLength: p("epochLength"),
      initialEmission: p("initialEmission"),
      decayBps: p("decayBps"),
      workShareBps: p("workShareBps"),
      workRewardCapBps: p("workRewardCapBps"),
    },
  ]);
  const market = m.contract("JobMarket", [
    deployer,
    rgl,
    staking,
    committee,
    rewards,
    {
      treasury: timelock,
      feeBps: p("feeBps"),
      collateralRatioBps: p("collateralRatioBps"),
      verifyWindow: p("verifyWindow"),
      invalidSlashBps: p("invalidSlashBps"),
      invalidDeveloperBps: p("invalidDeveloperBps"),
      noShowSlashBps: p("noShowSlashBps"),
      noShowDeveloperBps: p("noShowDeveloperBps"),
    },
  ]);

  // Wiring, done by the deployer while it is still admin.
  const minter = m.staticCall(rgl, "MINTER_ROLE", [], 0, { id: "MINTER_ROLE" });
  const marketRole = m.staticCall(staking, "MARKET_ROLE", [], 0, { id: "STAKING_MARKET_ROLE" });
  const slasher = m.staticCall(staking, "SLASHER_ROLE", [], 0, { id: "SLASHER_ROLE" });
  const rewarder = m.staticCall(staking, "REWARDER_ROLE", [], 0, { id: "REWARDER_ROLE" });
  const stakingPauser = m.staticCall(staking, "PAUSER_ROLE", [], 0, { id: "STAKING_PAUSER_ROLE" });
  const rewardsMarket = m.staticCall(rewards, "MARKET_ROLE", [], 0, { id: "REWARDS_MARKET_ROLE" });
  const rewardsGov = m.staticCall(rewards, "GOVERNOR_ROLE", [], 0, { id: "REWARDS_GOVERNOR_ROLE" });
  const marketGov = m.staticCall(market, "GOVERNOR_ROLE", [], 0, { id: "MARKET_GOVERNOR_ROLE" });
  const marketPauser = m.staticCall(market, "PAUSER_ROLE", [], 0, { id: "MARKET_PAUSER_ROLE" });

  const wired = [
    m.call(rgl, "grantRole", [minter, rewards], { id: "rgl_minter_rewards" }),
    m.call(staking, "grantRole", [marketRole, market], { id: "staking_market_market" }),
    m.call(staking, "grantRole", [slasher, market], { id: "staking_slasher_market" }),
    m.call(staking, "grantRole", [rewarder, rewards], { id: "staking_rewarder_rewards" }),
    m.call(staking, "setCapacityListener", [rewards], { id: "staking_listener_rewards" }),
    m.call(rewards, "grantRole", [rewardsMarket, market], { id: "rewards_market_market" }),
    m.call(market, "setPaymentToken", [rgl, true, E18], { id: "market_allow_rgl" }),
  ];

  // Hand every admin role to the timelock, then the deployer renounces each role it held.
  const handover = [
    m.call(rgl, "grantRole", [DEFAULT_ADMIN_ROLE, timelock], { id: "rgl_admin_timelock", after: wired }),
    m.call(committee, "grantRole", [DEFAULT_ADMIN_ROLE, timelock], { id: "committee_admin_timelock", after: wired }),
    m.call(staking, "grantRole", [DEFAULT_ADMIN_ROLE, timelock], { id: "staking_admin_timelock", after: wired }),
    m.call(staking, "grantRole", [stakingPauser, timelock], { id: "staking_pauser_timelock", after: wired }),
    m.call(rewards, "grantRole", [DEFAULT_ADMIN_ROLE, timelock], { id: "rewards_admin_timelock", after: wired }),
    m.call(rewards, "grantRole", [rewardsGov, timelock], { id: "rewards_gov_timelock", after: wired }),
    m.call(market, "grantRole", [DEFAULT_ADMIN_ROLE, timelock], { id: "market_admin_timelock", after: wired }),
    m.call(market, "grantRole", [marketGov, timelock], { id: "market_gov_timelock", after: wired }),
    m.call(market, "grantRole", [marketPauser, timelock], { id: "market_pauser_timelock", after: wired }),
  ];
  m.call(rewards, "renounceRole", [rewardsGov, deployer], { id: "rewards_gov_renounce", after: handover });
  m.call(market, "renounceRole", [marketGov, deployer], { id: "market_gov_renounce", after: handover });
  m.call(market, "renounceRole", [marketPauser, deployer], { id: "market_pauser_renounce", after: handover });
  const last = [
    m.call(rgl, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], { id: "rgl_admin_renounce", after: handover }),
    m.call(committee, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], {
      id: "committee_admin_renounce",
      after: handover,
    }),
    m.call(staking, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], { id: "staking_admin_renounce", after: handover }),
    m.call(rewards, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], { id: "rewards_admin_renounce", after: handover }),
    m.call(market, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], { id: "market_admin_renounce", after: handover }),
  ];
  void last;

  return { timelock, rgl, committee, staking, rewards, market };
});
