// The protocol's deployment, shared by the two profiles (docs/DEPLOYMENT.md, PROTOCOL §11):
// `Rigel` (dev: the deployer keeps the timelock's proposer and canceller roles, zero delay) and
// `RigelProduction` (a delay of days, a multisig or Governor proposes and cancels, the genesis supply
// goes to a given treasury, and the deployer holds no role anywhere once the deployment ends).
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

const E18 = 10n ** 18n;
const ZERO = "0x0000000000000000000000000000000000000000";
const DEFAULT_ADMIN_ROLE = "0x0000000000000000000000000000000000000000000000000000000000000000";

/** Every numeric parameter of a deployment, with its value in seconds, RGL wei or basis points. */
export interface RigelDefaults {
  tokenCap: bigint;
  genesisSupply: bigint;
  timelockMinDelay: bigint;
  committeeThreshold: bigint;
  oracleBond: bigint;
  reporterRewardBps: bigint;
  bondUnbondingPeriod: bigint;
  maxAttestationLifetime: bigint;
  unbondingPeriod: bigint;
  jailPeriod: bigint;
  commissionDelay: bigint;
  minDelegation: bigint;
  epochLength: bigint;
  initialEmission: bigint;
  decayBps: bigint;
  workShareBps: bigint;
  workRewardCapBps: bigint;
  feeBps: bigint;
  collateralRatioBps: bigint;
  verifyWindow: bigint;
  invalidSlashBps: bigint;
  invalidDeveloperBps: bigint;
  noShowSlashBps: bigint;
  noShowDeveloperBps: bigint;
}

/** Which profile: who proposes to the timelock and who receives the genesis supply. */
export type RigelProfile = "dev" | "production";

/**
 * The deployment module `id` with `defaults`. Dev: the deployer is the timelock's proposer and
 * canceller and receives the genesis supply. Production: the parameters `governance` (the multisig
 * or Governor that proposes and cancels) and `genesisRecipient` are required, and the deployer is
 * given no timelock role at all.
 */
export function buildRigel(id: string, profile: RigelProfile, defaults: RigelDefaults) {
  return buildModule(id, (m) => {
    const deployer = m.getAccount(0);
    const p = <K extends keyof RigelDefaults>(k: K) => m.getParameter(k, defaults[k]);
    const governance = profile === "production" ? m.getParameter<string>("governance") : deployer;
    const genesisRecipient = profile === "production" ? m.getParameter<string>("genesisRecipient") : deployer;

    // TimelockController(minDelay, proposers, executors, admin): the proposers also get the canceller
    // role; executor address(0) lets anyone execute a ready operation (its content and delay are fixed
    // when it is scheduled); admin none: the timelock administers itself.
    const timelock = m.contract("TimelockController", [p("timelockMinDelay"), [governance], [ZERO], ZERO]);

    const rgl = m.contract("ComputeToken", [deployer, genesisRecipient, p("genesisSupply"), p("tokenCap")]);
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
      m.call(committee, "setMaxAttestationLifetime", [p("maxAttestationLifetime")], {
        id: "committee_attestation_lifetime",
      }),
      m.call(staking, "grantRole", [marketRole, market], { id: "staking_market_market" }),
      m.call(staking, "grantRole", [slasher, market], { id: "staking_slasher_market" }),
      m.call(staking, "grantRole", [rewarder, rewards], { id: "staking_rewarder_rewards" }),
      m.call(staking, "setCapacityListener", [rewards], { id: "staking_listener_rewards" }),
      m.call(rewards, "grantRole", [rewardsMarket, market], { id: "rewards_market_market" }),
      // Operator parts vest one verify window after their epoch, so a cheater's verdict always
      // lands before its part vests (PROTOCOL §10.9).
      m.call(rewards, "setRewardVestingDelay", [p("verifyWindow")], { id: "rewards_vesting_delay" }),
      m.call(market, "setPaymentToken", [rgl, true, E18], { id: "market_allow_rgl" }),
    ];

    // Hand every admin role to the timelock, then the deployer renounces each role it held: the
    // admin roles the constructors gave it, and the market's governor and pauser and the rewards'
    // governor roles (JobMarket and RewardsDistributor grant those to their admin).
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
    m.call(rgl, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], { id: "rgl_admin_renounce", after: handover });
    m.call(committee, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], {
      id: "committee_admin_renounce",
      after: handover,
    });
    m.call(staking, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], { id: "staking_admin_renounce", after: handover });
    m.call(rewards, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], { id: "rewards_admin_renounce", after: handover });
    m.call(market, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], { id: "market_admin_renounce", after: handover });

    return { timelock, rgl, committee, staking, rewards, market };
  });
}
