import { RigelError } from "../errors/RigelError";

/** An item's `output.json` is not what the runtime writes (docs/PROTOCOL.md §19.2). */
export class LlmOutputError extends RigelError {
  override readonly name = "LlmOutputError";
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super("LLM_OUTPUT_INVALID", `output.json: ${reason}`, { details });
  }
}

/** The token counts of one item's output. */
export interface LlmItemTokens {
  promptTokens: number;
  generatedTokens: number;
}

/**
 * The prompt and generated token counts of one item's `output.json` (its `promptTokens` and
 * `generatedTokens` id arrays): the item's units are their sum (docs/PROTOCOL.md §19.1).
 * @throws LlmOutputError when the text is not such an object.
 */
export function llmItemTokens(outputJson: string): LlmItemTokens {
  let value: unknown;
  try {
    value = JSON.parse(outputJson);
  } catch (err) {
    throw new LlmOutputError(`not JSON: ${(err as Error).message}`);
  }
  const o = value as { promptTokens?: unknown; generatedTokens?: unknown };
  if (
    typeof value !== "object" ||
    value === null ||
    !Array.isArray(o.promptTokens) ||
    !Array.isArray(o.generatedTokens)
  )
    throw new LlmOutputError("promptTokens and generatedTokens must be arrays of token ids");
  return { promptTokens: o.promptTokens.length, generatedTokens: o.generatedTokens.length };
}
