import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import worker  # noqa: E402
from rigel_pow.generator import generate_matrix, generator_keys  # noqa: E402

with open(os.path.join(HERE, "..", "pow", "vectors", "generator.json"), encoding="utf-8") as fh:
    VECTOR = json.load(fh)["workloads"][4]


def run_worker(argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = worker.main(argv)
    return code, out.getvalue(), err.getvalue()


class WorkerTest(unittest.TestCase):
    def shape_args(self):
        return ["--m", str(VECTOR["m"]), "--n", str(VECTOR["n"]), "--k", str(VECTOR["k"])]

    def check_outputs(self, out_dir, result):
        self.assertEqual(result["root"], VECTOR["root"])
        c = np.fromfile(os.path.join(out_dir, "c.bin"), dtype="<i4")
        self.assertEqual(c.size, VECTOR["m"] * VECTOR["n"])
        self.assertEqual(c[:8].tolist(), VECTOR["cHead"])
        hashes = np.fromfile(os.path.join(out_dir, "row-hashes.bin"), dtype=np.uint8).reshape(-1, 32)
        self.assertEqual(["0x" + h.tobytes().hex() for h in hashes], VECTOR["rowHashes"])
        with open(os.path.join(out_dir, "result.json"), encoding="utf-8") as fh:
            self.assertEqual(json.load(fh)["root"], VECTOR["root"])

    def test_generated_workload_on_cpu(self):
        with tempfile.TemporaryDirectory() as out_dir:
            code, out, _ = run_worker(["--seed", VECTOR["seed"], *self.shape_args(), "--out", out_dir, "--device", "cpu"])
            self.assertEqual(code, 0)
            result = json.loads(out)
            self.assertEqual(result["device"], "cpu")
            self.assertEqual((result["keyA"], result["keyB"]), (VECTOR["keyA"], VECTOR["keyB"]))
            self.check_outputs(out_dir, result)

    def test_handed_keys_and_supplied_operands(self):
        with tempfile.TemporaryDirectory() as out_dir:
            keys = ["--key-a", str(VECTOR["keyA"]), "--key-b", hex(VECTOR["keyB"])]
            code, out, _ = run_worker([*keys, *self.shape_args(), "--out", out_dir, "--device", "cpu"])
            self.assertEqual(code, 0)
            self.check_outputs(out_dir, json.loads(out))
        with tempfile.TemporaryDirectory() as out_dir:
            key_a, key_b = generator_keys(bytes.fromhex(VECTOR["seed"][2:]))
            a_path, b_path = os.path.join(out_dir, "a.bin"), os.path.join(out_dir, "b.bin")
            generate_matrix(key_a, VECTOR["m"], VECTOR["k"]).tofile(a_path)
            generate_matrix(key_b, VECTOR["k"], VECTOR["n"]).tofile(b_path)
            code, out, _ = run_worker(["--a", a_path, "--b", b_path, *self.shape_args(), "--out", out_dir])
            self.assertEqual(code, 0)
            self.check_outputs(out_dir, json.loads(out))

    def test_refuses_cuda_without_torch_and_bad_shapes(self):
        with tempfile.TemporaryDirectory() as out_dir:
            if not worker._cuda_available():
                code, _, err = run_worker(["--seed", VECTOR["seed"], *self.shape_args(), "--out", out_dir, "--device", "cuda"])
                self.assertEqual(code, 2)
                self.assertIn("cuda", err)
            code, _, err = run_worker(["--seed", VECTOR["seed"], "--m", "1", "--n", "1", "--k", "131073", "--out", out_dir])
            self.assertEqual(code, 2)
            self.assertIn("k must be at most 131072", err)
            # m·k and k·n are small, but the whole job's C has 2^32 elements (docs/PROTOCOL.md §3.2).
            code, _, err = run_worker(["--seed", VECTOR["seed"], "--m", str(2**20), "--n", str(2**12), "--k", "64", "--out", out_dir])
            self.assertEqual(code, 2)
            self.assertIn("m·n must be below 2^32", err)
            code, _, err = run_worker(["--a", os.path.join(out_dir, "missing.bin"), "--b", "x", *self.shape_args(), "--out", out_dir])
            self.assertEqual(code, 2)
            self.assertIn("missing.bin", err)

    def test_shape_rules_match_the_typescript_list(self):
        # The same cases, in the same order and words, as test/sdk/pow/workload.test.ts.
        self.assertEqual(worker.shape_issues(64, 64, 64), [])
        self.assertEqual(
            worker.shape_issues(65536, 65536, 131073),
            [
                ("k", "must be at most 131072"),
                ("m", "m·k must be below 2^32"),
                ("n", "k·n must be below 2^32"),
                ("m", "m·n must be below 2^32 (C is m×n int32, the whole job)"),
            ],
        )
        self.assertEqual(worker.shape_issues(2**20, 2**12, 64), [("m", "m·n must be below 2^32 (C is m×n int32, the whole job)")])
        self.assertEqual(worker.shape_issues(2**20 - 1, 2**12, 64), [])

    def test_imports_torch_only_when_used(self):
        self.assertTrue("torch" not in sys.modules or worker._cuda_available())


if __name__ == "__main__":
    unittest.main()
