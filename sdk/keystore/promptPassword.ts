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

/** Reads one line from the TTY on stdin with echo off (raw mode): Enter ends it, Ctrl-C aborts. */
export function readHiddenLine(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  return new Promise((resolve, reject) => {
    let line = "";
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (err?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(new RigelError("PASSWORD_ABORTED", "password entry aborted (Ctrl-C)"));
        if (ch === "\u007f" || ch === "\b") line = line.slice(0, -1);
        else if (ch >= " ") line += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** The process's terminal, or undefined when stdin is not a TTY (scripts, CI, pipes). */
export function processTerminal(): PromptTerminal | undefined {
  if (!process.stdin.isTTY) return undefined;
  return { write: (t) => void process.stderr.write(t), readHidden: () => readHiddenLine() };
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
