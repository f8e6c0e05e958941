import { StringDecoder } from "node:string_decoder";

/** Longest line kept whole; a longer one is cut into pieces of this many characters. */
export const MAX_LOG_LINE = 64 * 1024;

/**
 * Splits one output stream's bytes into UTF-8 lines (without their `\n` or `\r\n`), never breaking
 * a multi-byte character, cutting lines longer than {@link MAX_LOG_LINE} characters.
 */
export class LogLineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  push(data: Buffer): string[] {
    const text = this.partial + this.decoder.write(data);
    const parts = text.split("\n");
    this.partial = parts.pop() ?? "";
    const lines: string[] = [];
    for (const part of parts) {
      const line = part.endsWith("\r") ? part.slice(0, -1) : part;
      for (let at = 0; at === 0 || at < line.length; at += MAX_LOG_LINE) lines.push(line.slice(at, at + MAX_LOG_LINE));
    }
    while (this.partial.length > MAX_LOG_LINE) {
      lines.push(this.partial.slice(0, MAX_LOG_LINE));
      this.partial = this.partial.slice(MAX_LOG_LINE);
    }
    return lines;
  }

  /** The unterminated rest, if any, at the end of the stream. */
  flush(): string | undefined {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    return rest === "" ? undefined : rest;
  }
}
