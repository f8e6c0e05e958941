import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { OutputFile } from "./dockerClient";

/** What to commit: one leaf per item (itemised jobs), or one leaf per output file. */
export type CommitOutputsParameters =
  { mode: "items"; itemHashes: readonly `0x${string}`[] } | { mode: "files"; files: readonly OutputFile[] };

/** The outputs commitment: the Merkle root and the leaves it was built from. */
export interface CommitOutputsReturnType {
  /** The StandardMerkleTree root; 32 zero bytes when there is nothing to commit. */
  root: `0x${string}`;
  leafEncoding: ["uint256", "bytes32"] | ["string", "bytes32"];
  leaves: [string, `0x${string}`][];
  /** The full tree (`StandardMerkleTree.dump()`), to build proofs from later; null when empty. */
  tree: ReturnType<StandardMerkleTree<[string, string]>["dump"]> | null;
}

const ZERO_ROOT = `0x${"0".repeat(64)}` as const;

/**
 * Commits a container job's outputs (docs/PROTOCOL.md, "Outputs commitment"):
 * items: leaves `[itemIndex, itemOutputHash]` typed `["uint256","bytes32"]`;
 * files: leaves `[relativePath, sha256]` typed `["string","bytes32"]`;
 * both in an OpenZeppelin StandardMerkleTree with default options.
 */
export function commitOutputs(params: CommitOutputsParameters): CommitOutputsReturnType {
  const leafEncoding: CommitOutputsReturnType["leafEncoding"] =
    params.mode === "items" ? ["uint256", "bytes32"] : ["string", "bytes32"];
  const leaves: [string, `0x${string}`][] =
    params.mode === "items"
      ? params.itemHashes.map((h, i) => [String(i), h])
      : params.files.map((f) => [f.path, f.sha256]);
  if (leaves.length === 0) return { root: ZERO_ROOT, leafEncoding, leaves, tree: null };
  const tree = StandardMerkleTree.of<[string, string]>(leaves, leafEncoding);
  return { root: tree.root as `0x${string}`, leafEncoding, leaves, tree: tree.dump() };
}
