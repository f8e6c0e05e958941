// The outer shell of every Rigel CLI: `--verbose` (the stack, only then) and `--json` (a failure is
// also printed as `{ "error": … }` on stdout), and any error as `error: <one sentence>` and
// `hint: <what to do>` on stderr with exit code 1 (2 for a usage error).
import { explainError, type ExplainContext } from "./explainError";
import type { CliOutput } from "./commands";

/** What a CLI's main gets besides its arguments. */
export interface CliRun {
  /** `--verbose` was given (it is taken out of argv). */
  verbose: boolean;
  /** `--json` was given (it stays in argv for the command's own parser). */
  json: boolean;
  out: CliOutput;
  /** Filled in by the command as it learns them (RPC URL, account): makes error sentences precise. */
  context: ExplainContext;
}

const stdio: CliOutput = {
  result: (t) => void process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
  info: (t) => void process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
  error: (t) => void process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
};

/** The exit code of a usage error (a wrong flag or argument); every other failure is 1. */
export const USAGE_EXIT_CODE = 2;

/** Prints `err` as `error:` + `hint:` (and the stack with verbose, a JSON object with json); returns the exit code. */
export function reportCliError(err: unknown, run: Omit<CliRun, "json"> & { json?: boolean }): number {
  const explained = explainError(err, run.context);
  const lines = [`error: ${explained.message}`];
  if (explained.hint) lines.push(`hint: ${explained.hint}`);
  if (run.verbose) lines.push(err instanceof Error && err.stack ? err.stack : String(err));
  else lines.push("(run again with --verbose for the details)");
  run.out.error(lines.join("\n"));
  if (run.json) {
    run.out.result(
      JSON.stringify({
        error: { code: explained.code ?? null, message: explained.message, hint: explained.hint ?? null },
      }),
    );
  }
  return (err as { name?: string })?.name === "UsageError" ? USAGE_EXIT_CODE : 1;
}

/**
 * Runs a CLI's `main(argv, run)` and returns the exit code: `--verbose` is taken out of argv, `--json`
 * noted; a thrown error is explained (sdk/cli/explainError) as one sentence and a hint.
 */
export async function runCli(
  main: (argv: string[], run: CliRun) => Promise<number | void>,
  argv: string[],
  options: { out?: CliOutput; context?: ExplainContext } = {},
): Promise<number> {
  const verbose = argv.includes("--verbose");
  const args = argv.filter((a) => a !== "--verbose");
  const run: CliRun = {
    verbose,
    json: args.includes("--json"),
    out: options.out ?? stdio,
    context: { ...options.context },
  };
  try {
    return (await main(args, run)) ?? 0;
  } catch (err) {
    return reportCliError(err, run);
  }
}
