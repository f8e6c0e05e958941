import type { JobTemplate } from "./jobTemplate";

const ZERO = `0x${"0".repeat(64)}`;
const MODEL_URL = "http://127.0.0.1:8000/models/gpt2";

/**
 * Verified language-model inference (PROTOCOL §19): prompts in, generated text out, checked by
 * activation fingerprints. The model's four files are placeholders: point them at your served
 * GPT-2-layout folder and their sha256 (the dapp's "Fill from folder" does both).
 */
export const modelInferenceTemplate: JobTemplate = {
  name: "model-inference",
  title: "Model inference (verified LLM)",
  description:
    "Generates text for each prompt with a GPT-2-layout model; every token is checked by the oracles. " +
    "Serve your model folder over http(s), then set the four file URIs and hashes (or use Fill from folder in the app).",
  spec: {
    kind: "llm-inference",
    model: {
      architecture: "gpt2",
      config: { uri: `${MODEL_URL}/config.json`, sha256: ZERO },
      weights: { uri: `${MODEL_URL}/model.safetensors`, sha256: ZERO },
      vocab: { uri: `${MODEL_URL}/vocab.json`, sha256: ZERO },
      merges: { uri: `${MODEL_URL}/merges.txt`, sha256: ZERO },
    },
    items: ["Once upon a time", "The meaning of life is"],
    maxNewTokens: 16,
    decoding: { mode: "greedy" },
  },
  plan: { maxPrice: "1", budget: "100", maxShards: 2, deadlineMinutes: 60 },
  placeholders: [
    {
      path: "model",
      note: "the four files' URIs and sha256 must be your served model's (the zero hashes match nothing)",
    },
  ],
};
