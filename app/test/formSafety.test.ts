import { describe, expect, it } from "vitest";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { findJobTemplate } from "../../sdk/spec/templates/jobTemplates";
import { buildJob, type JobForm } from "../src/lib/buildJob";
import { clampInt } from "../src/lib/clampInt";
import { commandArgs, commandText } from "../src/lib/commandArgs";
import {
  amountActionReason,
  approvalAmount,
  createDisabledReason,
  shortfallText,
  type WalletFunds,
} from "../src/lib/spendCheck";
import { templateForm } from "../src/lib/templateForm";
import { isWalletConnectProjectId, walletConnectConnectors } from "../src/lib/walletConnectConnectors";

const E18 = 10n ** 18n;
const funds = (token?: bigint, eth: bigint | undefined = E18): WalletFunds => ({
  eth,
  token,
  symbol: "RGL",
  decimals: 18,
});

const FORM: JobForm = {
  kind: "container",
  seed: "",
  m: "8",
  n: "8",
  k: "8",
  image: "rigel/busybox:test",
  command: "",
  items: "",
  gpuSecondsPerShard: "60",
  shards: "3",
  maxPricePerUnit: "1",
  deadlineMinutes: "10",
  minVramMiB: "0",
  minOpsPerSec: "0",
};

describe("clampInt: inputs clamped with a message", () => {
  it("moves an out-of-range number to the nearest bound and says so", () => {
    expect(clampInt("100", { label: "Max shards", min: 1, max: 64 })).toEqual({
      value: 64,
      note: "Max shards: 100 is above the most, 64; using 64.",
    });
    expect(clampInt("0", { label: "Max shards", min: 1, max: 64 })).toEqual({
      value: 1,
      note: "Max shards: 0 is below the least, 1; using 1.",
    });
    expect(clampInt(" 12 ", { label: "Max shards", min: 1, max: 64 })).toEqual({ value: 12 });
    expect(clampInt("20,000", { label: "Deadline", min: 1, max: 10_080 }).note).toBe(
      "Deadline: 20,000 is above the most, 10,080; using 10,080.",
    );
  });

  it("does not guess at text that is no whole number, and takes the fallback for empty text", () => {
    expect(clampInt("1.5", { label: "GPUs", min: 0, max: 16 })).toEqual({
      value: 0,
      problem: "GPUs must be a whole number from 0 to 16",
    });
    expect(clampInt("abc", { label: "GPUs", min: 0, max: 16 }).problem).toBeDefined();
    expect(clampInt("", { label: "Min VRAM", min: 0, max: 10, fallback: 0 })).toEqual({ value: 0 });
  });

  it("the job form clamps shards, deadline and container resources, and lists the notes", () => {
    const job = buildJob(
      { ...FORM, items: "1\n2", shards: "100", deadlineMinutes: "99999", gpus: "40", memoryMiB: "64", timeoutSec: "" },
      0n,
    );
    expect(job.notes).toEqual([
      "Max shards: 100 is above the most, 64; using 64.",
      "Deadline (minutes): 99,999 is above the most, 10,080; using 10,080.",
      "GPUs: 40 is above the most, 16; using 16.",
    ]);
    expect(job.shards).toBe(2); // then capped at the items
    expect(job.deadlineSeconds).toBe(10_080n * 60n);
    expect(job.spec.kind === "container" && [job.spec.gpus, job.spec.memoryMiB, job.spec.timeoutSec]).toEqual([
      16, 64, 3600,
    ]);
  });
});

describe("approve only what is needed, only when the balance covers it", () => {
  it("approves exactly the spend when the allowance is short, nothing when it covers it", () => {
    expect(approvalAmount(0n, 100n * E18)).toBe(100n * E18);
    expect(approvalAmount(40n * E18, 100n * E18)).toBe(100n * E18);
    expect(approvalAmount(100n * E18, 100n * E18)).toBe(0n);
    expect(approvalAmount(2n ** 256n - 1n, 1n)).toBe(0n);
  });

  it("says what the wallet has and what the spend needs; gas first", () => {
    expect(shortfallText(funds(40n * E18), 100n * E18, "this job")).toBe("You have 40 RGL; this job needs 100 RGL.");
    expect(shortfallText(funds(100n * E18), 100n * E18)).toBeUndefined();
    expect(shortfallText(funds(100n * E18, 0n), 1n)).toBe("This account has no ETH to pay for gas.");
    expect(shortfallText({ ...funds(40_000_000n), symbol: "tUSD", decimals: 6 }, 100_000_000n, "this job")).toBe(
      "You have 40 tUSD; this job needs 100 tUSD.",
    );
  });
});

describe("every disabled button says why", () => {
  const base = {
    account: "0x00000000000000000000000000000000000000aa",
    problems: [] as string[],
    planning: false,
    hasJob: true,
    busy: false,
    funds: funds(1_000n * E18),
    escrow: 4n * E18,
  };
  it("create: wallet, form, transaction, plan, balances, funds, in that order", () => {
    expect(createDisabledReason(base)).toBeUndefined();
    expect(createDisabledReason({ ...base, account: undefined })).toBe(
      "Connect a wallet on the right chain to create a job.",
    );
    expect(createDisabledReason({ ...base, problems: ["m must be a whole number ≥ 1"] })).toBe(
      "Fix the form first: m must be a whole number ≥ 1.",
    );
    expect(createDisabledReason({ ...base, busy: true })).toBe("A transaction of this form is under way.");
    expect(createDisabledReason({ ...base, hasJob: false, escrow: undefined, planning: true })).toBe(
      "Planning over the operators on-chain…",
    );
    expect(createDisabledReason({ ...base, hasJob: false, escrow: undefined })).toBe(
      "There is no plan yet: see the plan above.",
    );
    expect(createDisabledReason({ ...base, funds: funds(undefined) })).toBe("Reading your balances…");
    expect(createDisabledReason({ ...base, funds: funds(1n * E18) })).toBe(
      "You have 1 RGL; this job's escrow needs 4 RGL.",
    );
  });

  it("amount actions: the caller's reason, the wallet, then the amount", () => {
    const a = { account: "0xaa", text: "5", amount: 5n * E18, label: "Stake" };
    expect(amountActionReason(a)).toBeUndefined();
    expect(amountActionReason({ ...a, disabled: true, disabledReason: "Nothing delegated." })).toBe(
      "Nothing delegated.",
    );
    expect(amountActionReason({ ...a, disabled: true })).toBe("Stake is not possible now.");
    expect(amountActionReason({ ...a, account: undefined })).toBe("Connect a wallet on the right chain first.");
    expect(amountActionReason({ ...a, text: "", amount: undefined })).toBe("Type an amount of RGL to stake.");
    expect(amountActionReason({ ...a, text: "1e3", amount: undefined })).toBe(
      '"1e3" is not an amount of RGL (digits, at most 18 decimals).',
    );
    expect(amountActionReason({ ...a, text: "0", amount: 0n })).toBe("The amount must be above 0.");
  });
});

describe("container jobs from the form and from templates", () => {
  it("reads the command as a JSON array or as words with quotes", () => {
    const problems: string[] = [];
    expect(commandArgs(`sh -c 'echo $RIGEL_ITEM > "$RIGEL_OUTPUT/out.txt"'`, problems)).toEqual([
      "sh",
      "-c",
      'echo $RIGEL_ITEM > "$RIGEL_OUTPUT/out.txt"',
    ]);
    expect(commandArgs('["sh", "-c", "echo hi"]', problems)).toEqual(["sh", "-c", "echo hi"]);
    expect(commandArgs("  ", problems)).toEqual([]);
    expect(commandArgs(`echo ""`, problems)).toEqual(["echo", ""]);
    expect(problems).toEqual([]);
    commandArgs("sh -c 'oops", problems);
    commandArgs("[1, 2]", problems);
    expect(problems).toEqual([
      "command: the single quote is not closed",
      'command: a JSON array must hold strings only, such as ["sh", "-c", "echo hi"]',
    ]);
    expect(commandArgs(commandText(["a b", 'c"d']), [])).toEqual(["a b", 'c"d']);
  });

  it("the batch template fills the form, and the form builds exactly the template's spec", () => {
    const t = findJobTemplate("batch-container")!;
    const fill = templateForm(t);
    expect(fill.form).toMatchObject({ kind: "container", image: "rigel/busybox:test", shards: "2", budget: "100" });
    const job = buildJob({ ...FORM, ...fill.form } as JobForm, 0n);
    expect(job.spec).toEqual(parseJobSpec(t.spec));
    expect(job.notes).toEqual([]);
  });

  it("the model inference template fills the language-model fields", () => {
    const fill = templateForm(findJobTemplate("model-inference")!);
    expect(fill.form.kind).toBe("llm-inference");
    expect(fill.llm?.prompts).toBe("Once upon a time\nThe meaning of life is");
    expect(fill.llm?.model?.weights.uri).toMatch(/model\.safetensors$/);
    expect(fill.llm?.maxNewTokens).toBe("16");
  });

  it("GPU models typed in the form become the spec's requirements, on every kind", () => {
    const job = buildJob({ ...FORM, gpuModels: " H100, RTX 4090 ," }, 0n);
    expect(job.spec.requirements).toEqual({ gpuModels: ["H100", "RTX 4090"] });
    const matmul = buildJob({ ...FORM, kind: "matmul-int8", seed: `0x${"11".repeat(32)}`, gpuModels: "A100" }, 0n);
    expect(matmul.spec.requirements).toEqual({ gpuModels: ["A100"] });
    expect(buildJob(FORM, 0n).spec).not.toHaveProperty("requirements");
  });
});

describe("WalletConnect only with a project id", () => {
  it("no id, an empty or malformed id: no connector (and no WalletConnect module loaded)", async () => {
    expect(await walletConnectConnectors(undefined)).toEqual([]);
    expect(await walletConnectConnectors("")).toEqual([]);
    expect(await walletConnectConnectors("not-an-id")).toEqual([]);
    expect(isWalletConnectProjectId("0123456789abcdef0123456789ABCDEF")).toBe(true);
  });

  it("a project id: one WalletConnect connector", async () => {
    const connectors = await walletConnectConnectors("0123456789abcdef0123456789abcdef");
    expect(connectors).toHaveLength(1);
    expect(typeof connectors[0]).toBe("function");
  });
});
