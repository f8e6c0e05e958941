"""Activation fingerprints (after TOPLOC): the top-k of the final hidden states, chunk by chunk.

The hidden states are those after `ln_f` at the positions that produced the generated tokens
(position P−1+j produced generated token j, for a prompt of P tokens). Generated positions are
cut into chunks of `CHUNK` consecutive positions (the last may be shorter); for each chunk the
[c, n_embd] block is flattened and its `K` entries of largest magnitude kept, largest first (ties
to the lower flat index). Encoding: base64 of, per chunk, the k flat indices (uint16 LE, or uint32
LE when c·n_embd > 65536) then the k values as float16 LE. With K = 32 and CHUNK = 8 that is 16
bytes per generated token before base64.
"""

import base64

import numpy as np

CHUNK = 8
K = 32
SCHEME = "topk-lnf-v1"


class FingerprintError(ValueError):
    """The claimed fingerprint is malformed (wrong scheme, length or shape)."""


def _chunks(n):
    return [(lo, min(lo + CHUNK, n)) for lo in range(0, n, CHUNK)]


def _top(block):
    flat = np.asarray(block, dtype=np.float32).reshape(-1)
    k = min(K, flat.size)
    idx = np.argsort(-np.abs(flat), kind="stable")[:k]
    return idx, flat[idx]


def _index_dtype(size):
    return np.dtype("<u2") if size <= 65536 else np.dtype("<u4")


def build(hidden):
    """The fingerprint (a JSON-ready dict) of hidden states [n, n_embd] at the generated positions."""
    hidden = np.asarray(hidden, dtype=np.float32)
    parts = []
    for lo, hi in _chunks(hidden.shape[0]):
        idx, vals = _top(hidden[lo:hi])
        parts.append(idx.astype(_index_dtype((hi - lo) * hidden.shape[1])).tobytes())
        parts.append(vals.astype("<f2").tobytes())
    return {"scheme": SCHEME, "chunk": CHUNK, "k": K, "data": base64.b64encode(b"".join(parts)).decode("ascii")}


def decode(fp, n, width):
    """[(indices, values)] per chunk of a claimed fingerprint for n generated tokens, or FingerprintError."""
    if not isinstance(fp, dict) or fp.get("scheme") != SCHEME or fp.get("chunk") != CHUNK or fp.get("k") != K:
        raise FingerprintError(f"fingerprint scheme is not {SCHEME} with chunk {CHUNK}, k {K}")
    try:
        raw = base64.b64decode(fp.get("data", ""), validate=True)
    except (ValueError, TypeError) as e:
        raise FingerprintError("fingerprint data is not base64") from e
    out, at = [], 0
    for lo, hi in _chunks(n):
        size = (hi - lo) * width
        k = min(K, size)
        idt = _index_dtype(size)
        need = k * (idt.itemsize + 2)
        if at + need > len(raw):
            raise FingerprintError(f"fingerprint data ends at byte {len(raw)}, chunk {lo // CHUNK} needs {at + need}")
        idx = np.frombuffer(raw, dtype=idt, count=k, offset=at).astype(np.int64)
        vals = np.frombuffer(raw, dtype="<f2", count=k, offset=at + k * idt.itemsize).astype(np.float32)
        if idx.max(initial=0) >= size:
            raise FingerprintError(f"fingerprint chunk {lo // CHUNK} has an index past {size}")
        out.append((idx, vals))
        at += need
    if at != len(raw):
        raise FingerprintError(f"fingerprint data has {len(raw) - at} bytes past the last chunk")
    return out


def compare(fp, hidden):
    """Per-chunk statistics of a claimed fingerprint against recomputed hidden states [n, n_embd].

    overlap: |claimed top-k ∩ recomputed top-k| / k; mean_err and max_err: the mean and the largest
    |claimed value − recomputed value at the claimed index|, over the chunk's k entries, divided by
    the mean |claimed value|. Raises FingerprintError when the claim is malformed.
    """
    hidden = np.asarray(hidden, dtype=np.float32)
    stats = []
    for (lo, hi), (idx, vals) in zip(_chunks(hidden.shape[0]), decode(fp, hidden.shape[0], hidden.shape[1])):
        flat = hidden[lo:hi].reshape(-1)
        mine, _ = _top(hidden[lo:hi])
        scale = max(float(np.abs(vals).mean()), 1e-6)
        err = np.abs(vals - flat[idx]) / scale
        stats.append({
            "overlap": len(set(idx.tolist()) & set(mine.tolist())) / len(idx),
            "mean_err": float(err.mean()),
            "max_err": float(err.max()),
        })  # fmt: skip
    return stats
