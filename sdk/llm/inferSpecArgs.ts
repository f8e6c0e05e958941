import type { LlmInferenceSpec } from "../spec/jobSpecTypes";

/**
 * The runtime options a spec fixes (docs/PROTOCOL.md §19.2): `--max-new-tokens`, the decoding rule
 * and `--first-item` (the global index of the prompts file's first line, which derives each item's
 * sampling seed). The agent's `generate` and the oracle's `verify` pass the same ones.
 */
export function inferSpecArgs(spec: LlmInferenceSpec, firstItem: number): string[] {
  const args = ["--max-new-tokens", String(spec.maxNewTokens), "--first-item", String(firstItem)];
  if (spec.decoding.mode === "greedy") return [...args, "--decoding", "greedy"];
  const d = spec.decoding;
  return [
    ...args,
    "--decoding",
    "sample",
    "--temperature-milli",
    String(d.temperatureMilli),
    "--top-p-milli",
    String(d.topPMilli),
    "--seed",
    d.seed,
  ];
}
