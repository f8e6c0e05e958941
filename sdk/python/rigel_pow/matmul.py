"""Exact int8 × int8 → int32 matrix products on the CPU (numpy) and on CUDA (torch, imported lazily).

C is defined as the sum of products mod 2^32, read as int32 (docs/PROTOCOL.md §3.1). numpy has no
fast integer matmul, so the CPU path multiplies in float64 through BLAS: every product and partial
sum is an integer of magnitude at most 128·128·k ≤ 2^31 < 2^53, so every float64 operation is
exact whatever order BLAS sums in; the result is then wrapped to int32.
"""

import numpy as np

# Rows of A per float64 block: bounds the float64 copies to about 64 MiB per operand block.
_ROW_BLOCK_BYTES = 64 << 20


def _wrap_int32(values):
    as_int = values.astype(np.int64)
    return (((as_int + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)).astype(np.int32)


def matmul_int8(a, b):
    """C = A·B on the CPU, exact: A (m×k) and B (k×n) int8 → C (m×n) int32."""
    a = np.asarray(a, dtype=np.int8)
    b = np.asarray(b, dtype=np.int8)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"shapes {a.shape} and {b.shape} do not chain")
    m, k = a.shape
    n = b.shape[1]
    b64 = b.astype(np.float64)
    c = np.empty((m, n), dtype=np.int32)
    rows = max(1, _ROW_BLOCK_BYTES // (8 * max(k, n)))
    for i in range(0, m, rows):
        c[i : i + rows] = _wrap_int32(a[i : i + rows].astype(np.float64) @ b64)
    return c


def _round_up(value, multiple):
    return -(-value // multiple) * multiple


def matmul_int8_torch(a, b):
    """C = A·B with torch._int_mm on the tensors' device (int32 accumulation).

    torch._int_mm wants more than 16 rows and inner and column sizes that are multiples of 8; the
    operands are zero-padded to fit (the inner size to at least 32), which leaves the product
    unchanged, and C is cut back. B goes in column-major (cuBLASLt's fast int8 layout; a row-major B
    is several times slower).
    """
    import torch  # noqa: PLC0415 - torch is optional and only needed on this path

    m, k = a.shape
    n = b.shape[1]
    mp, kp, np_ = max(m, 17), max(_round_up(k, 8), 32), max(_round_up(n, 8), 8)
    if (mp, kp) != (m, k):
        a = torch.nn.functional.pad(a, (0, kp - k, 0, mp - m))
    if (kp, np_) != (k, n):
        b = torch.nn.functional.pad(b, (0, np_ - n, 0, kp - k))
    b_column_major = b.t().contiguous().t()
    c = torch._int_mm(a.contiguous(), b_column_major)
    return c[:m, :n]


def spot_check_rows(a_rows, b, c_rows):
    """Indices (into the given rows) where C differs from A·B recomputed exactly on the CPU.

    A worker runs this on a few rows of a GPU result: a GPU library whose output differs from the
    exact product is wrong (docs/PROTOCOL.md §3.8, §3.12), and the oracle would slash for it.
    """
    expected = matmul_int8(a_rows, b)
    return [int(i) for i in np.nonzero((expected != np.asarray(c_rows)).any(axis=1))[0]]
