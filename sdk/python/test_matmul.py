import os
import sys
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from rigel_pow import generator  # noqa: E402
from rigel_pow.commitment import merkle_root, merkle_tree  # noqa: E402
from rigel_pow.generator import generate_flat, generate_matrix, generate_row  # noqa: E402
from rigel_pow.keccak import keccak256  # noqa: E402
from rigel_pow.matmul import matmul_int8, spot_check_rows  # noqa: E402


def reference(a, b):
    c = a.astype(np.int64) @ b.astype(np.int64)
    return (((c + 2**31) & 0xFFFFFFFF) - 2**31).astype(np.int32)


class MatmulTest(unittest.TestCase):
    def test_random_shapes_and_edges(self):
        rng = np.random.default_rng(1)
        shapes = [(1, 1, 1), (1, 9, 1), (9, 1, 1), (1, 1, 9), (3, 257, 259), (17, 33, 9)]
        shapes += [tuple(int(x) for x in rng.integers(1, 80, size=3)) for _ in range(8)]
        for m, n, k in shapes:
            a = rng.integers(-128, 128, size=(m, k), dtype=np.int8)
            b = rng.integers(-128, 128, size=(k, n), dtype=np.int8)
            with self.subTest(m=m, n=n, k=k):
                np.testing.assert_array_equal(matmul_int8(a, b), reference(a, b))

    def test_extremes_and_the_wrap(self):
        for x, y in ((-128, -128), (-128, 127), (127, 127)):
            c = matmul_int8(np.full((3, 513), x, np.int8), np.full((513, 5), y, np.int8))
            self.assertTrue((c == x * y * 513).all())
        k = 131072
        c = matmul_int8(np.full((1, k), -128, np.int8), np.full((k, 1), -128, np.int8))
        self.assertEqual(int(c[0, 0]), -(2**31))

    def test_spot_check_names_the_wrong_rows(self):
        rng = np.random.default_rng(2)
        a = rng.integers(-128, 128, size=(4, 50), dtype=np.int8)
        b = rng.integers(-128, 128, size=(50, 30), dtype=np.int8)
        c = matmul_int8(a, b)
        self.assertEqual(spot_check_rows(a, b, c), [])
        c[2, 29] += 1
        self.assertEqual(spot_check_rows(a, b, c), [2])

    def test_row_block_boundaries(self):
        saved = generator.CHUNK_ELEMENTS
        try:
            generator.CHUNK_ELEMENTS = 7  # force many chunks, each starting mid-word
            small_chunks = generate_matrix(0xCAFEF00D, 9, 13)
        finally:
            generator.CHUNK_ELEMENTS = saved
        whole = generate_matrix(0xCAFEF00D, 9, 13)
        np.testing.assert_array_equal(small_chunks, whole)
        for row in range(9):
            np.testing.assert_array_equal(generate_row(0xCAFEF00D, row, 13), whole[row])
        np.testing.assert_array_equal(generate_flat(0xCAFEF00D, 5, 6), whole.reshape(-1)[5:11])


class MerkleTest(unittest.TestCase):
    def test_small_trees_by_hand(self):
        h0, h1, h2 = (bytes([i]) * 32 for i in (1, 2, 3))

        def leaf(i, h):
            return keccak256(keccak256(i.to_bytes(32, "big") + h))

        def node(x, y):
            return keccak256(min(x, y) + max(x, y))

        self.assertEqual(merkle_root(np.frombuffer(h0, np.uint8).reshape(1, 32)), leaf(0, h0))
        two = np.frombuffer(h0 + h1, np.uint8).reshape(2, 32)
        self.assertEqual(merkle_root(two), node(leaf(0, h0), leaf(1, h1)))
        # Three leaves sorted s0 < s1 < s2 sit at 4, 3, 2; node 1 = (3, 4), root = (1, 2).
        three = np.frombuffer(h0 + h1 + h2, np.uint8).reshape(3, 32)
        s = sorted([leaf(0, h0), leaf(1, h1), leaf(2, h2)])
        self.assertEqual(merkle_root(three), node(node(s[1], s[0]), s[2]))
        self.assertEqual(merkle_tree(three).shape, (5, 32))


if __name__ == "__main__":
    unittest.main()
