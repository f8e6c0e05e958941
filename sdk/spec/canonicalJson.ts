import { RigelError } from "../errors/RigelError";
import type { JsonValue } from "./jobSpecTypes";

/**
 * The canonical JSON form of a value: object keys sorted by UTF-16 code units, no whitespace,
 * strings escaped as `JSON.stringify` does, numbers restricted to safe integers. For such values
 * this is exactly RFC 8785 (JCS), so other languages can reproduce it byte for byte.
 */
export function canonicalJson(value: JsonValue): string {
  return write(value, "(root)");
}

function write(value: JsonValue, path: string): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new RigelError("CANONICAL_JSON_NUMBER", `${path}: only safe integers have a canonical form`, {
        details: { path, value: String(value) },
      });
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => write(v, `${path}[${i}]`)).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort();
    const parts: string[] = [];
    for (const key of keys) {
      const child = value[key];
      if (child === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${write(child, `${path}.${key}`)}`);
    }
    return `{${parts.join(",")}}`;
  }
  throw new RigelError("CANONICAL_JSON_TYPE", `${path}: ${typeof value} has no JSON form`, { details: { path } });
}
