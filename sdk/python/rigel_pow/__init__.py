"""Rigel proof of GPU work, Python side: the generator, exact int8 matmul and the row commitment.

Computes the same bytes as the TypeScript sdk (sdk/pow); docs/PROTOCOL.md §3 is the spec, and
sdk/pow/vectors/generator.json holds the vectors both implementations are tested against.
"""

from .commitment import merkle_root, row_hashes
from .generator import generate_matrix, generate_row, generator_keys
from .keccak import keccak256, keccak256_batch
from .matmul import matmul_int8

__all__ = [
    "generate_matrix",
    "generate_row",
    "generator_keys",
    "keccak256",
    "keccak256_batch",
    "matmul_int8",
    "merkle_root",
    "row_hashes",
]
