import fs from "node:fs/promises";
import { RigelError } from "../errors/RigelError";

/** A model's `config.json` lacks what the runtime needs. */
export class ModelConfigError extends RigelError {
  override readonly name = "ModelConfigError";
  constructor(file: string, reason: string) {
    super("LLM_MODEL_CONFIG_INVALID", `${file}: ${reason}`, { details: { file } });
  }
}

/** The fields of a GPT-2 `config.json` that admission and the cheat knob read. */
export interface ModelConfig {
  n_layer: number;
  n_positions: number;
  n_embd: number;
}

/**
 * Reads `n_layer`, `n_positions` and `n_embd` from a Hugging Face GPT-2 `config.json`.
 * @throws ModelConfigError when the file is not JSON or a field is not a positive integer.
 */
export async function readModelConfig(file: string): Promise<ModelConfig> {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new ModelConfigError(file, `not readable JSON: ${(err as Error).message}`);
  }
  const field = (name: keyof ModelConfig): number => {
    const v = value?.[name];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1)
      throw new ModelConfigError(file, `${name} must be a positive integer`);
    return v;
  };
  return { n_layer: field("n_layer"), n_positions: field("n_positions"), n_embd: field("n_embd") };
}
