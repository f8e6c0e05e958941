import { RigelError } from "../errors/RigelError";

/** Where a prompt reads and writes: the terminal (tests pass a scripted one). */
export interface PromptTerminal {
  /** Writes the prompt (to stderr: stdout stays the command's result). */
  write(text: string): void;
  /** Reads one line without echoing it. */
  readHidden(): Promise<string>;
}

/** The shortest keystore password accepted. */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Reads lines from the TTY on stdin with echo off (raw mode): Enter ends a line, Ctrl-C aborts.
 * Characters typed ahead (a second line in the same chunk) are kept for the next read.
 */
export function hiddenLineReader(stdin: NodeJS.ReadStream = process.stdin): () => Promise<string> {
  let pending = "";
  return () =>
    new Promise((resolve, reject) => {
      let line = "";
      const wasRaw = stdin.isRaw;
      const finish = (err?: Error) => {
        stdin.off("data", onData);
        stdin.setRawMode(wasRaw);
        stdin.pause();
        process.stderr.write("\n");
        if (err) reject(err);
        else resolve(line);
      };
      // Consumes `text`; true once a line ended (the rest stays pending).
      const take = (text: string): boolean => {
        for (let i = 0; i < text.length; i++) {
          const ch = text[i];
          if (ch === "\r" || ch === "\n") {
            pending = text.slice(i + 1).replace(/^\n/, "");
            finish();
            return true;
          }
          if (ch === "\u0003") {
            pending = "";
            finish(new RigelError("PASSWORD_ABORTED", "password entry aborted (Ctrl-C)"));
            return true;
          }
          if (ch === "\u007f" || ch === "\b") line = line.slice(0, -1);
          else if (ch >= " ") line += ch;
        }
        pending = "";
        return false;
      };
      const onData = (chunk: string) => void take(chunk);
      stdin.setRawMode(true);
      stdin.setEncoding("utf8");
      stdin.on("data", onData);
      if (pending && take(pending)) return;
      stdin.resume();
    });
}

/** The process's terminal, or undefined when stdin is not a TTY (scripts, CI, pipes). */
export function processTerminal(): PromptTerminal | undefined {
  if (!process.stdin.isTTY) return undefined;
  return { write: (t) => void process.stderr.write(t), readHidden: hiddenLineReader() };
}

/**
 * Asks for a new keystore password twice, hidden: at least {@link MIN_PASSWORD_LENGTH} characters,
 * both entries equal; asks again (up to `attempts` times) when not.
 */
export async function askNewPassword(terminal: PromptTerminal, attempts = 3): Promise<string> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    terminal.write(`Keystore password (${MIN_PASSWORD_LENGTH}+ characters): `);
    const first = await terminal.readHidden();
    if (first.length < MIN_PASSWORD_LENGTH) {
      terminal.write(`too short: at least ${MIN_PASSWORD_LENGTH} characters\n`);
      continue;
    }
    terminal.write("Repeat it: ");
    if ((await terminal.readHidden()) === first) return first;
    terminal.write("the two entries differ\n");
  }
  throw new RigelError("PASSWORD_NOT_SET", `no password set after ${attempts} attempts`);
}
