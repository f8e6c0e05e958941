// `npm run sim:economics -- [--epochs N] [--only a,b] [--json]`: plays the real contracts on the
// in-process Hardhat chain with honest operators and delegators and each gaming strategy of issue 19,
// and prints each strategy's reward against an honest actor's with the same capital and hardware
// in the same run. The last line is `max excess gain over the honest share: X %`.
import { parseArgs } from "node:util";
import { formatEther } from "ethers";
import { textTable } from "../lib/textTable";
import { runSimulation, STRATEGIES, type SimulationResult } from "./runSimulation";
import { excessPercent } from "./simRow";

const HELP = `Usage: npm run sim:economics -- [flags]

Plays OperatorStaking, RewardsDistributor, OracleCommittee and JobMarket on the in-process chain,
one fresh deployment per strategy, one-hour epochs in chain time.

Flags:
  --epochs N     epochs played per strategy (default 12)
  --only A,B     only these strategies (${Object.keys(STRATEGIES).join(", ")})
  --json         print the result as JSON (amounts in RGL wei, as strings) before the last line
  -h, --help     this help`;

function rgl(wei: bigint): string {
  return Number(formatEther(wei)).toFixed(2);
}

export function renderTable(result: SimulationResult): string {
  const rows = result.rows.map((r) => {
    const x = excessPercent(r);
    return [
      r.strategy,
      rgl(r.reward),
      rgl(r.honest),
      x === undefined ? "unbounded (honest share is 0)" : `${x.toFixed(2)} %`,
      r.honestActor,
      r.note,
    ];
  });
  return textTable(["strategy", "reward RGL", "honest RGL", "excess", "honest actor", "what happened"], rows);
}

export function maxLine(result: SimulationResult): string {
  const x = result.maxExcessPercent;
  return `max excess gain over the honest share: ${x === undefined ? "unbounded" : x.toFixed(2)} %`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      epochs: { type: "string", default: "12" },
      only: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const epochs = Number(values.epochs);
  if (!Number.isInteger(epochs) || epochs < 4) throw new Error(`--epochs must be an integer ≥ 4, got ${values.epochs}`);
  const only = values.only?.split(",").map((s) => s.trim());
  for (const name of only ?? []) if (!(name in STRATEGIES)) throw new Error(`unknown strategy ${name}`);
  const result = await runSimulation(epochs, only);
  if (values.json) {
    const rows = result.rows.map((r) => ({
      ...r,
      reward: r.reward.toString(),
      honest: r.honest.toString(),
      excessPercent: excessPercent(r) ?? null,
    }));
    console.log(JSON.stringify({ epochs, rows, maxExcessPercent: result.maxExcessPercent ?? null }, null, 2));
  } else {
    console.log(`Economic simulation: ${epochs} one-hour epochs per strategy, each in its own deployment.\n`);
    console.log(renderTable(result));
    console.log("");
  }
  console.log(maxLine(result));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
