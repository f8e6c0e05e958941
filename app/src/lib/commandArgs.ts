/**
 * A container's argv from the form's command field: a JSON array of strings (`["sh", "-c", "…"]`,
 * exactly as the spec holds it), or a shell-like line split on spaces outside single or double
 * quotes (`sh -c 'echo $RIGEL_ITEM'` → `["sh", "-c", "echo $RIGEL_ITEM"]`; no variables are
 * expanded: the container's shell does that). Empty: the image's own CMD. A problem is pushed
 * when the text is neither.
 */
export function commandArgs(text: string, problems: string[]): string[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (trimmed.startsWith("[")) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
    } catch {
      // reported below
    }
    problems.push('command: a JSON array must hold strings only, such as ["sh", "-c", "echo hi"]');
    return [];
  }
  const args: string[] = [];
  let current = "";
  let inArg = false;
  let quote: "'" | '"' | undefined;
  for (const ch of trimmed) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inArg = true;
    } else if (/\s/.test(ch)) {
      if (inArg) args.push(current);
      current = "";
      inArg = false;
    } else {
      current += ch;
      inArg = true;
    }
  }
  if (quote !== undefined) {
    problems.push(`command: the ${quote === "'" ? "single" : "double"} quote is not closed`);
    return [];
  }
  if (inArg) args.push(current);
  return args;
}

/** The form's text for an argv: the JSON array (what `commandArgs` reads back unchanged). */
export function commandText(args: readonly string[]): string {
  return args.length === 0 ? "" : JSON.stringify(args);
}
