import { defineCommand, runCli, UsageError, type CliOutput } from "../cli/commands";
import { runInfer } from "./runInfer";

/** Options passed through to `infer.py verify` as they are (docs/PROTOCOL.md §19.2). */
const PASSED = [
  "max-new-tokens",
  "decoding",
  "temperature-milli",
  "top-p-milli",
  "seed",
  "first-item",
  "items",
] as const;

/** Test seams of the `rigel infer` CLI. */
export interface InferCliDeps {
  /** The runtime's script (tests point it at a fake one). */
  script?: string;
}

function inferCommands(deps: InferCliDeps) {
  const verify = defineCommand({
    name: "verify",
    summary:
      "re-compute a generation's outputs with the reference runtime and check them (PROTOCOL §19.3); prints {valid, reason, items}; exit 0 valid, 1 invalid, 2 could not verify",
    flags: {
      model: {
        type: "string",
        description: "model directory (config.json, model.safetensors, vocab.json, merges.txt)",
        value: "DIR",
      },
      prompts: { type: "string", description: "prompts, one JSON string per line", value: "FILE" },
      result: { type: "string", description: "the generation to check: <i>/output.json per item", value: "DIR" },
      "max-new-tokens": {
        type: "string",
        description: "the job's maxNewTokens (default the runtime's, 16)",
        value: "N",
      },
      decoding: { type: "string", description: "greedy (default) or sample", value: "MODE" },
      "temperature-milli": { type: "string", description: "sample: temperature × 1000", value: "T" },
      "top-p-milli": { type: "string", description: "sample: top-p × 1000", value: "P" },
      seed: { type: "string", description: "sample: the spec's seed (hex)", value: "0x…" },
      "first-item": { type: "string", description: "global index of the prompts file's first line", value: "K" },
      items: { type: "string", description: "local indices to check, i,j,… (default all)", value: "LIST" },
      python: { type: "string", description: "python3 with numpy", value: "PATH", default: "python3" },
      "timeout-sec": { type: "string", description: "give up after this long (exit 2)", value: "S", default: "3600" },
    },
    async run({ flags, out }) {
      for (const required of ["model", "prompts", "result"] as const) {
        if (!flags[required]) throw new UsageError("CLI_USAGE", `--${required} is required`);
      }
      const timeoutSec = Number(flags["timeout-sec"]);
      if (!Number.isFinite(timeoutSec) || timeoutSec <= 0)
        throw new UsageError("CLI_USAGE", "--timeout-sec must be > 0");
      const args = ["--model", flags.model!, "--prompts", flags.prompts!, "--result", flags.result!];
      for (const name of PASSED) if (flags[name] !== undefined) args.push(`--${name}`, flags[name]!);
      const couldNot = (reason: string) => {
        out.result(
          JSON.stringify({ valid: false, reason: `could not verify: ${reason}`, couldNotVerify: true, items: [] }),
        );
        return 2;
      };
      let ran;
      try {
        ran = await runInfer({
          pythonPath: flags.python,
          command: "verify",
          args,
          timeoutMs: timeoutSec * 1000,
          script: deps.script,
          onStderrLine: (line) => out.info(line),
        });
      } catch (err) {
        return couldNot((err as Error).message);
      }
      if (ran.timedOut) return couldNot(`timed out after ${timeoutSec} s`);
      const answer = ran.stdout.trim();
      if (ran.exitCode !== 0 && ran.exitCode !== 1) {
        if (answer.startsWith("{")) {
          out.result(answer);
          return 2;
        }
        return couldNot(
          `the runtime exited ${ran.exitCode ?? "by signal"}: ${ran.stderrTail.trim().split("\n").pop() ?? ""}`,
        );
      }
      out.result(answer);
      return ran.exitCode;
    },
  });
  return [verify];
}

/** `rigel infer <command>`: the language-model runtime's checks by hand (docs/PROTOCOL.md §19). */
export async function main(argv: string[], deps: InferCliDeps = {}, out?: CliOutput): Promise<number> {
  return runCli({
    program: "rigel infer",
    summary: "Check language-model inference results by hand (PROTOCOL §19).",
    commands: inferCommands(deps),
    argv,
    out,
  });
}
