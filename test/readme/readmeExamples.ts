// The command examples of README.md's shell code blocks, for test/readme/readmeCommands.test.ts:
// every line of a ```sh block (continuation lines joined, trailing comments dropped) is a command.
// An HTML comment right before a block says what in it is not run, or is documented to fail:
//   <!-- readme-test: skip "TEXT": WHY -->          commands containing TEXT are not run (WHY is required)
//   <!-- readme-test: fails "TEXT" with "MESSAGE" --> commands containing TEXT must exit non-zero printing MESSAGE

/** One command of a README code block. */
export interface ReadmeExample {
  /** 1-based line in README.md where the command starts. */
  line: number;
  command: string;
  /** Why it is not run (from a skip marker). */
  skip?: string;
  /** The message it is documented to fail with. */
  fails?: string;
}

/** A marker of the block that follows it. */
interface Marker {
  kind: "skip" | "fails";
  text: string;
  value: string;
  used: boolean;
  line: number;
}

const SHELL = /^```(sh|bash|shell)\s*$/;
const MARKER = /<!--\s*readme-test:(.*?)-->/g;
const SKIP = /^\s*skip\s+"([^"]+)"\s*:\s*(\S.*?)\s*$/;
const FAILS = /^\s*fails\s+"([^"]+)"\s+with\s+"([^"]+)"\s*$/;

/** The line without a trailing `# comment` (a `#` after whitespace, outside quotes). */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/** Every command example of `readme`, in order; throws on a marker that matches no command of its block. */
export function readmeExamples(readme: string): ReadmeExample[] {
  const lines = readme.split("\n");
  const examples: ReadmeExample[] = [];
  let pending: Marker[] = [];
  for (let i = 0; i < lines.length; i++) {
    for (const [, body] of lines[i].matchAll(MARKER)) {
      const skip = SKIP.exec(body);
      const fails = FAILS.exec(body);
      if (!skip && !fails) {
        throw new Error(`README.md:${i + 1}: write 'skip "TEXT": WHY' or 'fails "TEXT" with "MESSAGE"'`);
      }
      const [, text, value] = (skip ?? fails)!;
      pending.push({ kind: skip ? "skip" : "fails", text, value, used: false, line: i + 1 });
    }
    if (!SHELL.test(lines[i])) continue;
    const markers = pending;
    pending = [];
    let command = "";
    let start = 0;
    for (i++; i < lines.length && !lines[i].startsWith("```"); i++) {
      const text = stripComment(lines[i]);
      if (command === "" && text.trim() === "") continue;
      if (command === "") start = i + 1;
      if (text.endsWith("\\")) {
        command += text.slice(0, -1) + " ";
        continue;
      }
      command = (command + text).replace(/\s+/g, " ").trim();
      const example: ReadmeExample = { line: start, command };
      for (const m of markers) {
        if (!command.includes(m.text)) continue;
        m.used = true;
        if (m.kind === "skip") example.skip = m.value;
        else example.fails = m.value;
      }
      examples.push(example);
      command = "";
    }
    const unused = markers.filter((m) => !m.used);
    if (unused.length > 0) {
      throw new Error(`README.md:${unused[0].line}: marker "${unused[0].text}" matches no command of the next block`);
    }
  }
  return examples;
}
