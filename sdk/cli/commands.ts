import { parseArgs } from "node:util";
import { RigelError } from "../errors/RigelError";
import type { ExplainContext } from "./explainError";
import { runCli as runCliMain, USAGE_EXIT_CODE } from "./runCli";

/** One flag of a command. */
export interface FlagSpec {
  type: "string" | "boolean";
  description: string;
  short?: string;
  default?: string | boolean;
  /** Shown in help as the value's name, e.g. "FILE". */
  value?: string;
  /** A string flag that may be given several times: the command sees the values joined with ",". */
  multiple?: boolean;
}

/** A command of a CLI: `rigel agent stake --amount 100`. */
export interface CommandSpec<F extends Record<string, FlagSpec> = Record<string, FlagSpec>> {
  name: string;
  summary: string;
  /** Positional arguments, for help. */
  args?: string;
  flags: F;
  run(ctx: {
    flags: { [K in keyof F]: F[K]["type"] extends "boolean" ? boolean : string | undefined };
    positionals: string[];
    out: CliOutput;
    /** What the command learns that makes an error's sentence precise (RPC URL, account). */
    errorContext?: ExplainContext;
  }): Promise<number | void>;
}

/** Where a CLI writes: results to stdout, progress and errors to stderr. Tests capture both. */
export interface CliOutput {
  result(text: string): void;
  info(text: string): void;
  error(text: string): void;
}

export const processOutput: CliOutput = {
  result: (t) => void process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
  info: (t) => void process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
  error: (t) => void process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
};

export class UsageError extends RigelError {
  override readonly name = "UsageError";
}

/** Define a command with typed flags. */
export function defineCommand<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

function commandHelp(program: string, cmd: CommandSpec): string {
  const lines = [
    `Usage: ${program} ${cmd.name}${cmd.args ? " " + cmd.args : ""} [flags]`,
    "",
    cmd.summary,
    "",
    "Flags:",
  ];
  const flags = { ...cmd.flags, help: { type: "boolean", description: "show this help", short: "h" } as FlagSpec };
  for (const [name, f] of Object.entries(flags)) {
    const left = `  ${f.short ? `-${f.short}, ` : "    "}--${name}${f.type === "string" ? ` ${f.value ?? "VALUE"}` : ""}`;
    const def = f.default !== undefined && f.default !== false ? ` (default ${String(f.default)})` : "";
    lines.push(`${left.padEnd(34)} ${f.description}${def}`);
  }
  return lines.join("\n");
}

function programHelp(program: string, summary: string, commands: CommandSpec[]): string {
  const lines = [`Usage: ${program} <command> [flags]`, "", summary, "", "Commands:"];
  for (const c of commands) lines.push(`  ${c.name.padEnd(14)} ${c.summary}`);
  lines.push("", `Run '${program} <command> --help' for a command's flags.`);
  return lines.join("\n");
}

/**
 * Run a CLI: pick the command, parse its flags (unknown flags are a usage error), answer `--help`
 * at every level; `--verbose` and `--json` and errors as sdk/cli/runCli does: `error: <sentence>`,
 * `hint: …`, exit code 2 for a usage error and 1 for any other failure.
 */
export async function runCli(params: {
  program: string;
  summary: string;
  commands: CommandSpec[];
  argv: string[];
  out?: CliOutput;
}): Promise<number> {
  const { program, summary, commands } = params;
  return runCliMain(
    async (argv, run) => {
      const out = run.out;
      const [name, ...rest] = argv;
      if (!name || name === "--help" || name === "-h" || name === "help") {
        out.result(programHelp(program, summary, commands));
        return name ? 0 : USAGE_EXIT_CODE;
      }
      const cmd = commands.find((c) => c.name === name);
      if (!cmd) {
        out.error(`error: ${program} has no command "${name}"\n\n${programHelp(program, summary, commands)}`);
        return USAGE_EXIT_CODE;
      }
      run.context.program = `${program} ${cmd.name}`;
      let parsed;
      try {
        const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {
          help: { type: "boolean", short: "h" },
        };
        for (const [flag, f] of Object.entries(cmd.flags))
          options[flag] = {
            type: f.type,
            ...(f.short ? { short: f.short } : {}),
            ...(f.multiple ? { multiple: true } : {}),
          };
        parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
      } catch (err) {
        out.error(`error: ${(err as Error).message}\nhint: run '${program} ${cmd.name} --help' for its flags`);
        return USAGE_EXIT_CODE;
      }
      if (parsed.values.help) {
        out.result(commandHelp(program, cmd));
        return 0;
      }
      const flags: Record<string, unknown> = {};
      for (const [flag, f] of Object.entries(cmd.flags)) {
        const value = parsed.values[flag];
        flags[flag] =
          (Array.isArray(value) ? value.join(",") : value) ?? f.default ?? (f.type === "boolean" ? false : undefined);
      }
      return cmd.run({ flags: flags as never, positionals: parsed.positionals, out, errorContext: run.context });
    },
    params.argv,
    { out: params.out ?? processOutput },
  );
}
