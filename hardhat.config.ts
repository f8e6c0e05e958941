import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig, NetworkUserConfig } from "hardhat/types";
import "@nomicfoundation/hardhat-toolbox";
import path from "node:path";

const SOLC_VERSION = "0.8.28";

// The compiler download server is unreachable here (and must never be needed): compile with the
// solc-js build that ships inside the pinned npm `solc` package.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  const compilerPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");
  return { compilerPath, isSolcJs: true, version: SOLC_VERSION, longVersion: `${SOLC_VERSION}+commit.7893614a` };
});

/** Any other EVM chain, from the environment only: RIGEL_RPC_URL plus RIGEL_DEPLOYER_KEY. */
function externalNetwork(): Record<string, NetworkUserConfig> {
  const url = process.env.RIGEL_RPC_URL;
  if (!url) return {};
  const key = process.env.RIGEL_DEPLOYER_KEY;
  return {
    external: {
      url,
      accounts: key ? [key] : [],
      ...(process.env.RIGEL_CHAIN_ID ? { chainId: Number(process.env.RIGEL_CHAIN_ID) } : {}),
    },
  };
}

// `hardhat coverage` compiles instrumented contracts into the configured artifacts and cache folders
// (solidity-coverage >= 0.8 reuses Hardhat's paths). Give that run folders of its own, inside the
// ignored cache/, and keep TypeChain from rewriting typechain-types/ (its factories embed bytecode),
// so a normal compile or test afterwards never sees instrumented bytecode.
const COVERAGE_RUN = process.argv.slice(2).includes("coverage");

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
    },
  },
  paths: {
    sources: "./contracts",
    tests: "./test",
    cache: COVERAGE_RUN ? "./cache/coverage/cache" : "./cache",
    artifacts: COVERAGE_RUN ? "./cache/coverage/artifacts" : "./artifacts",
  },
  typechain: {
    outDir: "typechain-types",
    target: "ethers-v6",
    dontOverrideCompile: COVERAGE_RUN,
  },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "1",
    offline: true,
    currency: "USD",
  },
  mocha: {
    // A hang detector, not a speed check: generous, since the suite runs its groups side by side on
    // a few cores (scripts/run-tests.js).
    timeout: 300_000,
  },
  networks: {
    // Coverage only: the instrumented JobMarket deploys its settlement module in its constructor
    // (PROTOCOL §20.3) and needs ~18M gas there, above Osaka's per-transaction cap of 2^24 (EIP-7825)
    // that solidity-coverage applies on the default hardfork. Prague has no such cap.
    // RIGEL_NODE_WALL_CLOCK=true (the load run's node): an automined block may share its parent's
    // timestamp, so the chain clock keeps to the wall clock instead of gaining a second per block.
    hardhat: COVERAGE_RUN
      ? { hardfork: "prague" }
      : process.env.RIGEL_NODE_WALL_CLOCK === "true"
        ? { allowBlocksWithSameTimestamp: true }
        : {},
    // RIGEL_LOCALHOST_URL moves the dev node off 8545 (parallel checkouts, CI).
    localhost: { url: process.env.RIGEL_LOCALHOST_URL ?? "http://127.0.0.1:8545", chainId: 31337 },
    ...externalNetwork(),
  },
};

export default config;
