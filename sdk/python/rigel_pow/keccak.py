"""Keccak-256 (Ethereum's, with the original 0x01 padding; not hashlib.sha3_256) in numpy.

Vectorised over a batch of equal-length messages so that a whole level of a Merkle tree is hashed
in one call. Only messages shorter than the 136-byte rate (one block) are supported: every message
Rigel hashes here is 32, 33 or 64 bytes.
"""

import numpy as np

RATE = 136

_ROUND_CONSTANTS = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]  # fmt: skip
_RC = [np.uint64(c) for c in _ROUND_CONSTANTS]

# Rotation offsets r[x][y] for lane (x, y).
_ROTATIONS = [
    [0, 36, 3, 41, 18],
    [1, 44, 10, 45, 2],
    [62, 6, 43, 15, 61],
    [28, 55, 25, 21, 56],
    [27, 20, 39, 8, 14],
]


def _rotl(v, r):
    if r == 0:
        return v
    return (v << np.uint64(r)) | (v >> np.uint64(64 - r))


def _keccak_f(lanes):
    """keccak-f[1600] over a list of 25 uint64 arrays, lane (x, y) at index x + 5y."""
    a = lanes
    for rc in _RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rotl(c[(x + 1) % 5], 1) for x in range(5)]
        a = [a[i] ^ d[i % 5] for i in range(25)]
        b = [None] * 25
        for x in range(5):
            for y in range(5):
                b[y + 5 * ((2 * x + 3 * y) % 5)] = _rotl(a[x + 5 * y], _ROTATIONS[x][y])
        a = [b[i] ^ (~b[(i % 5 + 1) % 5 + 5 * (i // 5)] & b[(i % 5 + 2) % 5 + 5 * (i // 5)]) for i in range(25)]
        a[0] = a[0] ^ rc
    return a


def keccak256_batch(messages):
    """Keccak-256 of each row of a (N, L) uint8 array, L < 136; returns (N, 32) uint8."""
    messages = np.ascontiguousarray(messages, dtype=np.uint8)
    if messages.ndim != 2:
        raise ValueError("messages must be a 2-d (N, L) uint8 array")
    count, length = messages.shape
    if length >= RATE:
        raise ValueError(f"messages of {length} bytes need more than one block; at most {RATE - 1} supported")
    block = np.zeros((count, RATE), dtype=np.uint8)
    block[:, :length] = messages
    block[:, length] ^= 0x01
    block[:, RATE - 1] ^= 0x80
    words = block.view("<u8").astype(np.uint64)  # (N, 17), lanes little-endian
    zero = np.zeros(count, dtype=np.uint64)
    lanes = [words[:, i].copy() for i in range(RATE // 8)] + [zero.copy() for _ in range(25 - RATE // 8)]
    out = _keccak_f(lanes)
    digest = np.stack(out[:4], axis=1).astype("<u8")
    return digest.view(np.uint8).reshape(count, 32)


def keccak256(data: bytes) -> bytes:
    """Keccak-256 of one message shorter than 136 bytes."""
    return keccak256_batch(np.frombuffer(bytes(data), dtype=np.uint8).reshape(1, -1)).tobytes()
