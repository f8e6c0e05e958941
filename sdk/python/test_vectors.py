"""The committed vectors of sdk/pow/vectors/generator.json, which the TypeScript tests check too."""

import hashlib
import json
import os
import sys
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from rigel_pow.commitment import merkle_root, row_hashes  # noqa: E402
from rigel_pow.generator import generate_matrix, generate_row, generator_keys  # noqa: E402
from rigel_pow.matmul import matmul_int8  # noqa: E402

with open(os.path.join(HERE, "..", "pow", "vectors", "generator.json"), encoding="utf-8") as fh:
    VECTORS = json.load(fh)


def sha256_hex(array):
    return "0x" + hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


class VectorsTest(unittest.TestCase):
    def test_workloads(self):
        for v in VECTORS["workloads"]:
            with self.subTest(seed=v["seed"], m=v["m"], n=v["n"], k=v["k"]):
                key_a, key_b = generator_keys(bytes.fromhex(v["seed"][2:]))
                self.assertEqual((key_a, key_b), (v["keyA"], v["keyB"]))
                a = generate_matrix(key_a, v["m"], v["k"])
                b = generate_matrix(key_b, v["k"], v["n"])
                self.assertEqual(a.reshape(-1)[:16].tolist(), v["aHead"])
                self.assertEqual(b.reshape(-1)[:16].tolist(), v["bHead"])
                self.assertEqual(sha256_hex(a), v["aSha256"])
                self.assertEqual(sha256_hex(b), v["bSha256"])
                c = matmul_int8(a, b)
                self.assertEqual(c.reshape(-1)[:8].tolist(), v["cHead"])
                self.assertEqual(sha256_hex(c.astype("<i4")), v["cSha256"])
                hashes = row_hashes(c)
                self.assertEqual(["0x" + h.tobytes().hex() for h in hashes], v["rowHashes"])
                self.assertEqual("0x" + merkle_root(hashes).hex(), v["root"])

    def test_rows_alone(self):
        for r in VECTORS["rows"]:
            with self.subTest(operand=r["operand"], row=r["row"], cols=r["cols"]):
                key_a, key_b = generator_keys(bytes.fromhex(r["seed"][2:]))
                row = generate_row(key_a if r["operand"] == "A" else key_b, r["row"], r["cols"])
                self.assertEqual(row[:16].tolist(), r["head"])
                self.assertEqual(sha256_hex(row), r["sha256"])


if __name__ == "__main__":
    unittest.main()
