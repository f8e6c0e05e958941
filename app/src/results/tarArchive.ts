/** One file of a tar archive: its path inside the archive and its bytes. */
export interface TarEntry {
  path: string;
  bytes: Uint8Array;
}

const utf8 = new TextEncoder();

function writeString(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = utf8.encode(text);
  if (bytes.length > length) throw new Error(`tar field too long: ${text}`);
  block.set(bytes, offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeString(block, offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
}

/** Splits a path over ustar's `prefix` (155 bytes) and `name` (100 bytes) at a `/`. */
function splitPath(path: string): { prefix: string; name: string } {
  if (utf8.encode(path).length <= 100) return { prefix: "", name: path };
  for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (utf8.encode(prefix).length <= 155 && utf8.encode(name).length <= 100) return { prefix, name };
  }
  throw new Error(`path too long for a tar archive: ${path}`);
}

/**
 * A POSIX ustar archive of regular files (mode 0644, owner 0, time 0: the same files make the same
 * bytes), written in the browser: a 512-byte header per file, its bytes padded to 512, two empty
 * blocks at the end. `tar -xf` reads it.
 */
export function tarArchive(entries: readonly TarEntry[]): Uint8Array {
  const size = entries.reduce((sum, e) => sum + 512 + Math.ceil(e.bytes.length / 512) * 512, 1024);
  const out = new Uint8Array(size);
  let at = 0;
  for (const entry of entries) {
    const header = out.subarray(at, at + 512);
    const { prefix, name } = splitPath(entry.path);
    writeString(header, 0, 100, name);
    writeOctal(header, 100, 8, 0o644);
    writeOctal(header, 108, 8, 0);
    writeOctal(header, 116, 8, 0);
    writeOctal(header, 124, 12, entry.bytes.length);
    writeOctal(header, 136, 12, 0);
    header.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
    header[156] = 0x30; // "0": a regular file
    writeString(header, 257, 6, "ustar\0");
    writeString(header, 263, 2, "00");
    writeString(header, 345, 155, prefix);
    const sum = header.reduce((s, b) => s + b, 0);
    writeString(header, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
    out.set(entry.bytes, at + 512);
    at += 512 + Math.ceil(entry.bytes.length / 512) * 512;
  }
  return out;
}
