import fs from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { RigelError } from "../../sdk/errors/RigelError";
import { EquivocationRefusedError } from "../store/decisionStore";

/** One line of the log: this key may have signed `digest` for `subject` (from `at`, Unix ms). */
export interface SignedDigestEntry {
  subject: string;
  digest: Hex;
  at: number;
}

/**
 * The log holds another digest for the subject: refused as equivocation (a 409 when it reaches an
 * HTTP answer: the node cannot produce the other verdict's answer from its database).
 */
export class LoggedDigestConflictError extends EquivocationRefusedError {
  readonly status = 409;
}

/** The log could not be read or written, or an import holds a line that is not an entry. */
export class SignedDigestLogError extends RigelError {
  override readonly name = "SignedDigestLogError";
}

const DIGEST = /^0x[0-9a-f]{64}$/;

/** Parses one line; undefined for a blank or unreadable one (a torn write is never a signed digest, see below). */
function parseLine(line: string): SignedDigestEntry | undefined {
  if (line.trim() === "") return undefined;
  try {
    const o = JSON.parse(line) as Partial<SignedDigestEntry>;
    if (typeof o.subject !== "string" || o.subject === "" || typeof o.digest !== "string") return undefined;
    const digest = o.digest.toLowerCase();
    if (!DIGEST.test(digest)) return undefined;
    return { subject: o.subject, digest: digest as Hex, at: typeof o.at === "number" ? o.at : 0 };
  } catch {
    return undefined;
  }
}

/** The default place of the log: beside the keystore, else in the data folder (PROTOCOL §18.5). */
export function signedDigestLogPath(p: { signLog?: string; signerKey?: string; keystore?: string; dataDir: string }) {
  if (p.signLog) return p.signLog;
  if (!p.signerKey && p.keystore) return `${p.keystore}.signed.jsonl`;
  return path.join(p.dataDir, "signed.jsonl");
}

/**
 * The signed-digest log of PROTOCOL §18.5: a JSON-lines file that travels with the signer key, one
 * `{ subject, digest, at }` per line, appended and fsync'd before the signature over `digest` is
 * made. The **first** line of a subject is its digest; a later line with another digest is a lost
 * race (below) and means nothing.
 *
 * Several processes may share the file (a standby node, a second instance on the same key): each
 * reads it on from the length it had read before every check, and appends with `O_APPEND` in one
 * write. Two processes that check a subject at the same moment both append; each then reads the
 * file again, and only the one whose digest is the subject's first line signs: the other refuses.
 * A line without its newline (a process killed mid-write) is never followed by a signature (the
 * signature comes after the fsync), so unreadable lines are skipped; an append after such a tail
 * starts with a newline of its own. The file must be on a local filesystem (`O_APPEND` is not
 * atomic over NFS).
 */
export class SignedDigestLog {
  private fd: number | undefined;
  /** Bytes of the file read so far (up to the end of the last whole line). */
  private offset = 0;
  /** Bytes after the last newline seen: a line another process is still writing, or a torn one. */
  private partial = false;
  private readonly digests = new Map<string, SignedDigestEntry>();
  /** Lines that could not be read, and later lines that disagree with a subject's first. */
  skipped = 0;

  constructor(readonly file: string) {}

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    const dir = path.dirname(path.resolve(this.file));
    fs.mkdirSync(dir, { recursive: true });
    const created = !fs.existsSync(this.file);
    try {
      this.fd = fs.openSync(this.file, "a+", 0o600);
    } catch (err) {
      throw new SignedDigestLogError(
        "ORACLE_SIGN_LOG_UNAVAILABLE",
        `could not open the signed-digest log ${this.file}`,
        {
          cause: err,
          details: { file: this.file },
        },
      );
    }
    if (created) {
      // The new file's name must survive a power cut too.
      const dirFd = fs.openSync(dir, "r");
      try {
        fs.fsyncSync(dirFd);
      } finally {
        fs.closeSync(dirFd);
      }
    }
    return this.fd;
  }

  /** Reads what other processes (or this one) appended since the last read. */
  private refresh(): void {
    const fd = this.open();
    const size = fs.fstatSync(fd).size;
    if (size <= this.offset) {
      this.partial = size > this.offset;
      return;
    }
    const buffer = Buffer.alloc(size - this.offset);
    let read = 0;
    while (read < buffer.length) {
      const n = fs.readSync(fd, buffer, read, buffer.length - read, this.offset + read);
      if (n === 0) break;
      read += n;
    }
    const end = buffer.lastIndexOf(0x0a, read - 1);
    this.partial = end + 1 < read;
    if (end < 0) return;
    for (const line of buffer.subarray(0, end).toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      const entry = parseLine(line);
      if (!entry) {
        this.skipped++;
        continue;
      }
      const first = this.digests.get(entry.subject);
      if (!first) this.digests.set(entry.subject, entry);
      else if (first.digest !== entry.digest) this.skipped++;
    }
    this.offset += end + 1;
  }

  private append(entries: readonly SignedDigestEntry[]): void {
    if (entries.length === 0) return;
    const fd = this.open();
    const lines = entries.map((e) => JSON.stringify({ subject: e.subject, digest: e.digest, at: e.at })).join("\n");
    const bytes = Buffer.from(`${this.partial ? "\n" : ""}${lines}\n`, "utf8");
    try {
      let written = 0;
      while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
      fs.fsyncSync(fd);
    } catch (err) {
      throw new SignedDigestLogError(
        "ORACLE_SIGN_LOG_UNAVAILABLE",
        `could not append to the signed-digest log ${this.file}`,
        {
          cause: err,
          details: { file: this.file },
        },
      );
    }
  }

  /** The digest the log holds for a subject (its first line), read afresh. */
  digestOf(subject: string): Hex | undefined {
    this.refresh();
    return this.digests.get(subject)?.digest;
  }

  /** Every subject's entry (its first line), read afresh, in the order they were first logged. */
  entries(): SignedDigestEntry[] {
    this.refresh();
    return [...this.digests.values()];
  }

  /**
   * Before a signature: the subject's digest must be `digest` or absent; absent, it is appended and
   * fsync'd, and the file read again to make sure no other process logged another digest first.
   * @throws LoggedDigestConflictError (an EquivocationRefusedError, code `EQUIVOCATION_REFUSED`) when the log holds another digest.
   * @throws SignedDigestLogError when the file cannot be written.
   */
  record(subject: string, digest: Hex, now = Date.now()): void {
    const wanted = digest.toLowerCase() as Hex;
    this.refresh();
    if (!this.digests.has(subject)) {
      this.append([{ subject, digest: wanted, at: now }]);
      this.refresh();
    }
    const logged = this.digests.get(subject);
    if (logged?.digest === wanted) return;
    if (!logged) {
      throw new SignedDigestLogError(
        "ORACLE_SIGN_LOG_UNAVAILABLE",
        `the signed-digest log lost the line of ${subject}`,
        {
          details: { file: this.file, subject },
        },
      );
    }
    throw new LoggedDigestConflictError(
      "EQUIVOCATION_REFUSED",
      `the signed-digest log already holds another digest for ${subject}; refusing to sign a second verdict`,
      { details: { subject, logged: logged.digest, asked: wanted, log: this.file } },
    );
  }

  /**
   * Merges entries (an import): every subject must be absent or hold the same digest, else nothing
   * is written. Returns how many subjects were new.
   * @throws EquivocationRefusedError naming the first conflicting subject.
   */
  merge(entries: readonly SignedDigestEntry[]): number {
    this.refresh();
    const fresh = new Map<string, SignedDigestEntry>();
    for (const e of entries) {
      const digest = e.digest.toLowerCase() as Hex;
      const held = this.digests.get(e.subject)?.digest ?? fresh.get(e.subject)?.digest;
      if (held !== undefined && held !== digest) {
        throw new EquivocationRefusedError(
          "EQUIVOCATION_REFUSED",
          `conflicting digest for ${e.subject}: the log holds ${held}, the import ${digest}`,
          { details: { subject: e.subject, logged: held, imported: digest, log: this.file } },
        );
      }
      if (held === undefined) fresh.set(e.subject, { ...e, digest });
    }
    this.append([...fresh.values()]);
    this.refresh();
    return fresh.size;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads a log file (an export) into entries, first line per subject; a line that is not an entry is an error. */
export function readSignedDigestFile(file: string): SignedDigestEntry[] {
  const out = new Map<string, SignedDigestEntry>();
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      const entry = parseLine(line);
      if (!entry)
        throw new SignedDigestLogError("ORACLE_SIGN_LOG_BAD_LINE", `${file}:${i + 1} is not a signed-digest entry`, {
          details: { file, line: i + 1 },
        });
      if (!out.has(entry.subject)) out.set(entry.subject, entry);
    });
  return [...out.values()];
}
