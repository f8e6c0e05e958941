import fs from "node:fs/promises";

/** Writes prompts as the runtime reads them (docs/PROTOCOL.md §19.2): one JSON string per line. */
export async function writePromptsFile(file: string, prompts: readonly string[]): Promise<void> {
  await fs.writeFile(file, prompts.map((p) => `${JSON.stringify(p)}\n`).join(""));
}
