// Foundry's `anvil` as the local chain (npm `@foundry-rs/anvil`, a prebuilt binary per platform): the
// load run's node. Hardhat's node records a trace of every EVM step for its stack traces (about 85 %
// of its CPU under load, BENCHMARKS "Sixth round"); anvil runs the same EVM without it.
import path from "node:path";
import { HARDHAT_MNEMONIC } from "./hardhatAccountKey";
import { spawnLocalNode, type LocalNode } from "./spawnNode";

/** The platform package that holds anvil's binary for this machine, or undefined where none is published. */
function platformPackage(): string | undefined {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  const os = { linux: "linux", darwin: "darwin", win32: "win32" }[process.platform as string];
  return arch && os ? `@foundry-rs/anvil-${os}-${arch}` : undefined;
}

/**
 * The path of anvil's binary (`RIGEL_ANVIL_BIN` overrides), or an Error that says what to install.
 * The binary is spawned directly, not through the package's Node wrapper, so that stopping the
 * process group stops the node itself.
 */
export function anvilBinary(): string | Error {
  const fromEnv = process.env.RIGEL_ANVIL_BIN;
  if (fromEnv) return fromEnv;
  const pkg = platformPackage();
  if (!pkg) return new Error(`no anvil build for ${process.platform}-${process.arch}; use --chain hardhat`);
  try {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    return path.join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  } catch {
    return new Error(`${pkg} is not installed (npm install installs it with @foundry-rs/anvil); use --chain hardhat`);
  }
}

/**
 * Starts anvil on 127.0.0.1:`port` with Hardhat's chain id (31337) and test mnemonic (20 accounts of
 * 10,000 ETH, as `hardhat node`), automining. Anvil stamps each block with the wall clock and lets
 * blocks share a second, so its chain clock keeps to the wall clock by itself.
 */
export async function startAnvilNode(p: { port: number; logFile?: string; timeoutMs?: number }): Promise<LocalNode> {
  const binary = anvilBinary();
  if (binary instanceof Error) throw binary;
  return spawnLocalNode({
    kind: "anvil",
    command: binary,
    args: [
      ...["--host", "127.0.0.1", "--port", String(p.port)],
      ...["--chain-id", "31337", "--accounts", "20", "--balance", "10000"],
      ...["--mnemonic", HARDHAT_MNEMONIC],
    ],
    port: p.port,
    logFile: p.logFile,
    timeoutMs: p.timeoutMs,
  });
}
