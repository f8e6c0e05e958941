"""The counter-based matrix generator of docs/PROTOCOL.md §3.2.

Every step is a 32-bit integer operation carried in int64 and masked to 32 bits, so the same code
runs on numpy arrays and on torch tensors (CPU or CUDA): int64 products wrap mod 2^64 in both, and
their low 32 bits are the product mod 2^32.
"""

import numpy as np

from .keccak import keccak256

MASK32 = 0xFFFFFFFF
GOLDEN = 0x9E3779B9
# Elements generated per chunk: bounds the int64 temporaries to a few hundred MiB.
CHUNK_ELEMENTS = 1 << 24


def generator_keys(seed: bytes):
    """(key(0), key(1)): the first 4 bytes, big-endian, of keccak256(seed ‖ uint8(t))."""
    if len(seed) != 32:
        raise ValueError("seed must be 32 bytes")
    return tuple(int.from_bytes(keccak256(seed + bytes([t]))[:4], "big") for t in (0, 1))


def mix32(x):
    """mix(x) on an int64 array (numpy or torch) holding values in [0, 2^32)."""
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & MASK32
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & MASK32
    x = x ^ (x >> 16)
    return x


class _NumpyBackend:
    def arange(self, start, stop):
        return np.arange(start, stop, dtype=np.int64)

    def stack_columns(self, columns):
        return np.stack(columns, axis=1)

    def to_int8(self, values):
        return values.astype(np.int8)

    def empty_int8(self, count):
        return np.empty(count, dtype=np.int8)


NUMPY = _NumpyBackend()


def generate_flat(key: int, start: int, count: int, backend=NUMPY):
    """The `count` elements at flat indices start … start+count−1, as an int8 vector.

    Element j is byte j mod 4 (little-endian) of word(⌊j/4⌋) = mix((w·0x9E3779B9 + key) mod 2^32),
    read as a signed int8.
    """
    out = backend.empty_int8(count)
    done = 0
    while done < count:
        take = min(CHUNK_ELEMENTS, count - done)
        first = start + done
        w0, w1 = first // 4, (first + take - 1) // 4
        words = mix32((backend.arange(w0, w1 + 1) * GOLDEN + key) & MASK32)
        octets = backend.stack_columns([(words >> (8 * b)) & 0xFF for b in range(4)]).reshape(-1)
        skip = first - 4 * w0
        signed = ((octets[skip : skip + take] + 128) & 0xFF) - 128
        out[done : done + take] = backend.to_int8(signed)
        done += take
    return out


def generate_row(key: int, row: int, cols: int, backend=NUMPY):
    """Row `row` of an operand with `cols` columns, generated alone."""
    return generate_flat(key, row * cols, cols, backend)


def generate_matrix(key: int, rows: int, cols: int, backend=NUMPY):
    """A whole operand, rows × cols, row-major int8."""
    return generate_flat(key, 0, rows * cols, backend).reshape(rows, cols)
