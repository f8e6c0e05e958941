/**
 * How a prompts file was read. `json-lines`: every non-blank line is a JSON string (the runtime's
 * own format, PROTOCOL §19.2, which can hold newlines and any character); `plain-lines`: each
 * non-blank line is one prompt, verbatim.
 */
export type PromptsFormat = "json-lines" | "plain-lines";

export interface ParsePromptsReturnType {
  prompts: string[];
  format: PromptsFormat;
}

function jsonString(line: string): string | undefined {
  if (!line.trimStart().startsWith('"')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The prompts of a pasted text or an uploaded file, one per line (PROTOCOL §16.5). Line ends are
 * `\n` or `\r\n`, a leading byte-order mark is dropped, blank lines (only whitespace) are skipped.
 * The whole text decides the format: when every remaining line is a JSON string it is read as
 * `json-lines` (each prompt the decoded string); otherwise every line is a prompt as written
 * (`plain-lines`), quotes included, so `"Hi," she said` is a plain line. Browser-safe (no Buffer).
 */
export function parsePrompts(text: string): ParsePromptsReturnType {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line))
    .filter((line) => line.trim().length > 0);
  const decoded = lines.map(jsonString);
  if (lines.length > 0 && decoded.every((d) => d !== undefined)) {
    return { prompts: decoded as string[], format: "json-lines" };
  }
  return { prompts: lines, format: "plain-lines" };
}

/** The runtime's prompts file for `prompts` (PROTOCOL §19.2): one JSON string per line. */
export function promptsFileText(prompts: readonly string[]): string {
  return prompts.map((p) => `${JSON.stringify(p)}\n`).join("");
}
