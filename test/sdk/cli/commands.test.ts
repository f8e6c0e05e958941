import { expect } from "chai";
import { defineCommand, runCli, UsageError, type CliOutput } from "../../../sdk/cli/commands";
import { RigelError } from "../../../sdk/errors/RigelError";

function capture(): CliOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, result: (t) => stdout.push(t), info: (t) => stderr.push(t), error: (t) => stderr.push(t) };
}

const stake = defineCommand({
  name: "stake",
  summary: "Stake RGL as the operator's self-stake",
  flags: {
    amount: { type: "string", description: "RGL to stake", value: "RGL" },
    yes: { type: "boolean", description: "do not ask for confirmation", short: "y" },
  },
  async run({ flags, out }) {
    if (!flags.amount) throw new UsageError("USAGE", "--amount is required");
    if (flags.amount === "0") throw new RigelError("ZERO", "cannot stake zero", { cause: new Error("rpc said no") });
    out.result(`staked ${flags.amount} yes=${flags.yes}`);
  },
});

const run = (argv: string[], out = capture()) =>
  runCli({ program: "rigel agent", summary: "The operator agent", commands: [stake], argv, out }).then((code) => ({
    code,
    out,
  }));

describe("sdk/cli/runCli", () => {
  it("runs a command with typed flags", async () => {
    const { code, out } = await run(["stake", "--amount", "5", "-y"]);
    expect(code, out.stderr.join("\n")).to.equal(0);
    expect(out.stdout).to.deep.equal(["staked 5 yes=true"]);
  });

  it("answers --help at the program and the command level", async () => {
    const top = await run(["--help"]);
    expect(top.code).to.equal(0);
    expect(top.out.stdout[0]).to.contain("Commands:").and.contain("stake").and.contain("Stake RGL");
    const cmd = await run(["stake", "--help"]);
    expect(cmd.code).to.equal(0);
    expect(cmd.out.stdout[0]).to.contain("--amount RGL").and.contain("-y, --yes");
  });

  it("exits 2 with help on an unknown command, an unknown flag or a usage error", async () => {
    expect((await run(["stak"])).code).to.equal(2);
    const unknownFlag = await run(["stake", "--amont", "1"]);
    expect(unknownFlag.code).to.equal(2);
    expect(unknownFlag.out.stderr[0]).to.contain("--amont");
    const missing = await run(["stake"]);
    expect(missing.code).to.equal(2);
    expect(missing.out.stderr[0]).to.contain("--amount is required");
    expect((await run([])).code).to.equal(2);
  });

  it("exits 1 with one sentence (the message and its cause) on a failure", async () => {
    const { code, out } = await run(["stake", "--amount", "0"]);
    expect(code, out.stderr.join("\n")).to.equal(1);
    expect(out.stderr[0]).to.contain("error: cannot stake zero: rpc said no");
  });
});
