import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rigel_pow.keccak import keccak256, keccak256_batch  # noqa: E402


class KeccakTest(unittest.TestCase):
    def test_known_digests(self):
        # Ethereum's keccak256, not FIPS sha3-256 (which gives a7ffc6f8… for the empty string).
        self.assertEqual(keccak256(b"").hex(), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        self.assertEqual(keccak256(b"abc").hex(), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        # keccak256(abi.encodePacked(bytes32(0), uint8(0))) → the generator key of vector 0.
        self.assertEqual(int.from_bytes(keccak256(bytes(33))[:4], "big"), 4086990495)

    def test_batch_equals_single(self):
        rng = np.random.default_rng(5)
        for length in (0, 1, 32, 64, 135):
            msgs = rng.integers(0, 256, size=(7, length), dtype=np.uint8)
            batch = keccak256_batch(msgs)
            for i in range(7):
                self.assertEqual(batch[i].tobytes(), keccak256(msgs[i].tobytes()))

    def test_refuses_multi_block_messages(self):
        with self.assertRaises(ValueError):
            keccak256(bytes(136))


if __name__ == "__main__":
    unittest.main()
