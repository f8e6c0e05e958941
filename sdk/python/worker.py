#!/usr/bin/env python3
"""Rigel's matmul worker: computes C = A·B for one matmul-int8 workload and commits to it.

    python3 sdk/python/worker.py --seed 0x<32 bytes> --m M --n N --k K --out DIR [--device auto|cuda|cpu]
    python3 sdk/python/worker.py --a A.bin --b B.bin --m M --n N --k K --out DIR   (supplied operands)

A and B are generated from the seed (docs/PROTOCOL.md §3.2), or read as raw row-major int8 files.
On CUDA (torch installed and a GPU present) the product is torch._int_mm with int32 accumulation;
otherwise numpy on the CPU. Writes into DIR:
  c.bin           C, m×n int32 little-endian, row-major
  row-hashes.bin  m × 32 bytes: sha256 of each row of C
  result.json     {"root", "m", "n", "k", "seed", "keyA", "keyB", "device", "seconds": {...}, "opsPerSec"}
and prints result.json's content on stdout. Before committing, rows 0, ⌊m/2⌋ and m−1 are recomputed
exactly on the CPU; a mismatch (an inexact GPU library) is an error. Exit code 2 for a workload or
device it cannot run (e.g. cuda without torch) and for a failed spot check.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rigel_pow.commitment import merkle_root, row_hashes  # noqa: E402
from rigel_pow.generator import generate_matrix, generator_keys  # noqa: E402
from rigel_pow.matmul import matmul_int8, matmul_int8_torch, spot_check_rows  # noqa: E402

MAX_K = 131072
MAX_MATRIX_ELEMENTS = 2**32


def shape_issues(m, n, k):
    """The shape rules of docs/PROTOCOL.md §3.2 for positive m, n, k: the same list, order and words as
    sdk/pow/workload.ts matmulShapeIssues (k ≤ 131072; m·k, k·n and m·n, the whole job's C, below 2^32)."""
    issues = []
    if k > MAX_K:
        issues.append(("k", f"must be at most {MAX_K}"))
    if m * k >= MAX_MATRIX_ELEMENTS:
        issues.append(("m", "m·k must be below 2^32"))
    if k * n >= MAX_MATRIX_ELEMENTS:
        issues.append(("n", "k·n must be below 2^32"))
    if m * n >= MAX_MATRIX_ELEMENTS:
        issues.append(("m", "m·n must be below 2^32 (C is m×n int32, the whole job)"))
    return issues


class WorkerError(Exception):
    """A workload or environment the worker cannot run."""


def _cuda_available():
    try:
        import torch  # noqa: PLC0415 - optional dependency
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def choose_device(requested):
    if requested == "cpu":
        return "cpu"
    if _cuda_available():
        return "cuda"
    if requested == "cuda":
        raise WorkerError("--device cuda needs torch with a CUDA GPU; neither was found")
    return "cpu"


class _TorchBackend:
    """The generator's array operations on torch tensors of one device."""

    def __init__(self, device):
        import torch  # noqa: PLC0415

        self.torch = torch
        self.device = device

    def arange(self, start, stop):
        return self.torch.arange(start, stop, dtype=self.torch.int64, device=self.device)

    def stack_columns(self, columns):
        return self.torch.stack(columns, dim=1)

    def to_int8(self, values):
        return values.to(self.torch.int8)

    def empty_int8(self, count):
        return self.torch.empty(count, dtype=self.torch.int8, device=self.device)


def _load_operand(path, rows, cols):
    try:
        data = np.fromfile(path, dtype=np.int8)
    except OSError as err:
        raise WorkerError(f"cannot read {path}: {err.strerror}") from err
    if data.size != rows * cols:
        raise WorkerError(f"{path} has {data.size} bytes, expected {rows}×{cols} = {rows * cols}")
    return data.reshape(rows, cols)


def run(args):
    m, n, k = args.m, args.n, args.k
    if min(m, n, k) < 1:
        raise WorkerError(f"unsupported shape m={m} n={n} k={k}: m, n and k must be positive")
    issues = shape_issues(m, n, k)
    if issues:
        path, message = issues[0]
        rule = f"k {message}" if path == "k" else message
        raise WorkerError(f"unsupported shape m={m} n={n} k={k}: {rule}")
    device = choose_device(args.device)
    seconds = {}
    started = time.perf_counter()
    seed_hex = None
    key_a = key_b = None
    if args.seed is not None:
        seed_hex = args.seed.lower()
        seed = bytes.fromhex(seed_hex[2:] if seed_hex.startswith("0x") else seed_hex)
        if len(seed) != 32:
            raise WorkerError("--seed must be 32 bytes of hex")
        key_a, key_b = generator_keys(seed)
    if args.key_a is not None:
        key_a, key_b = int(args.key_a, 0), int(args.key_b, 0)

    if device == "cuda":
        import torch  # noqa: PLC0415

        backend = _TorchBackend("cuda")
        if args.a is not None:
            a = torch.from_numpy(_load_operand(args.a, m, k)).to("cuda")
            b = torch.from_numpy(_load_operand(args.b, k, n)).to("cuda")
        else:
            a = generate_matrix(key_a, m, k, backend)
            b = generate_matrix(key_b, k, n, backend)
        torch.cuda.synchronize()
        seconds["generate"] = time.perf_counter() - started
        t0 = time.perf_counter()
        c_dev = matmul_int8_torch(a, b)
        torch.cuda.synchronize()
        seconds["matmul"] = time.perf_counter() - t0
        c = c_dev.cpu().numpy()
        rows = sorted({0, m // 2, m - 1})
        a_rows, b_host = a[rows].cpu().numpy(), b.cpu().numpy()
    else:
        if args.a is not None:
            a, b = _load_operand(args.a, m, k), _load_operand(args.b, k, n)
        else:
            a, b = generate_matrix(key_a, m, k), generate_matrix(key_b, k, n)
        seconds["generate"] = time.perf_counter() - started
        t0 = time.perf_counter()
        c = matmul_int8(a, b)
        seconds["matmul"] = time.perf_counter() - t0
        rows = sorted({0, m // 2, m - 1})
        a_rows, b_host = a[rows], b

    # A few rows recomputed exactly on the CPU: a library that is not exact must not be committed.
    wrong = spot_check_rows(a_rows, b_host, c[rows])
    if wrong:
        raise WorkerError(f"{device} result differs from the exact product in rows {[rows[i] for i in wrong]}")

    t0 = time.perf_counter()
    hashes = row_hashes(c)
    root = merkle_root(hashes)
    seconds["commit"] = time.perf_counter() - t0

    os.makedirs(args.out, exist_ok=True)
    np.ascontiguousarray(c, dtype="<i4").tofile(os.path.join(args.out, "c.bin"))
    hashes.tofile(os.path.join(args.out, "row-hashes.bin"))
    result = {
        "root": "0x" + root.hex(),
        "m": m,
        "n": n,
        "k": k,
        "seed": seed_hex,
        "keyA": key_a,
        "keyB": key_b,
        "device": device,
        "seconds": seconds,
        "opsPerSec": 2 * m * n * k / seconds["matmul"] if seconds["matmul"] > 0 else None,
    }
    with open(os.path.join(args.out, "result.json"), "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2)
        fh.write("\n")
    return result


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", help="32-byte hex seed of a generated workload")
    parser.add_argument("--key-a", help="generator key of A (instead of --seed, for a worker handed the keys)")
    parser.add_argument("--key-b", help="generator key of B (with --key-a)")
    parser.add_argument("--a", help="raw row-major int8 file of A (m×k), for supplied operands")
    parser.add_argument("--b", help="raw row-major int8 file of B (k×n), with --a")
    parser.add_argument("--m", type=int, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto")
    args = parser.parse_args(argv)
    sources = [args.seed is not None, args.key_a is not None, args.a is not None]
    if sum(sources) != 1:
        parser.error("give exactly one of --seed, --key-a/--key-b, --a/--b")
    if (args.key_a is None) != (args.key_b is None) or (args.a is None) != (args.b is None):
        parser.error("--key-a goes with --key-b, and --a with --b")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        result = run(args)
    except WorkerError as err:
        print(f"worker: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
