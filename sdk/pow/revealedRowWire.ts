import type { Hex } from "viem";
import { decodeInt32LE } from "./decodeInt32LE";
import { encodeInt32LE } from "./encodeInt32LE";
import { PowWorkloadError } from "./errors";
import type { RevealedRow } from "./reveal";

/** A revealed row in JSON: the row's int32 little-endian bytes as base64, the proof as 0x-hex. */
export interface RevealedRowJson {
  index: number;
  row: string;
  proof: Hex[];
}

/** The JSON form of a revealed row (docs/PROTOCOL.md §3.10). */
export function encodeRevealedRow({ index, row, proof }: RevealedRow): RevealedRowJson {
  return { index, row: Buffer.from(encodeInt32LE(row)).toString("base64"), proof: [...proof] };
}

/**
 * Parses the JSON form of a revealed row. Checks the shape only (an integer index, whole int32s,
 * 32-byte proof nodes); whether the row is right is for the verifier. Throws {@link PowWorkloadError}.
 */
export function decodeRevealedRow(json: unknown): RevealedRow {
  const value = json as Partial<RevealedRowJson> | null;
  if (typeof value !== "object" || value === null) throw new PowWorkloadError("revealed row must be an object");
  const { index, row, proof } = value;
  if (!Number.isSafeInteger(index) || (index as number) < 0) {
    throw new PowWorkloadError("revealed row index must be a non-negative integer", { details: { index } });
  }
  if (typeof row !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(row)) {
    throw new PowWorkloadError("revealed row must be base64", { details: { index } });
  }
  const bytes = Buffer.from(row, "base64");
  if (bytes.length % 4 !== 0) {
    throw new PowWorkloadError("revealed row is not a whole number of int32s", {
      details: { index, bytes: bytes.length },
    });
  }
  if (!Array.isArray(proof) || !proof.every((node) => typeof node === "string" && /^0x[0-9a-fA-F]{64}$/.test(node))) {
    throw new PowWorkloadError("revealed row proof must be a list of 32-byte hex strings", { details: { index } });
  }
  return { index: index as number, row: decodeInt32LE(bytes), proof: proof as Hex[] };
}
