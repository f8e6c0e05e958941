"""The GPT-2 runtime (rigel_llm): file formats, tokenizer, KV-cache generation, batching, sampling."""

import json
import os
import re
import shutil
import struct
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rigel_llm import corpus  # noqa: E402
from rigel_llm.backends import make_backend  # noqa: E402
from rigel_llm.decoding import Decoding, check, choose, item_seed, uniform  # noqa: E402
from rigel_llm.make_model import make_model  # noqa: E402
from rigel_llm.model import ModelError, load_weights  # noqa: E402
from rigel_llm.runtime import Runtime  # noqa: E402
from rigel_llm.safetensors import SafetensorsError, load_safetensors, save_safetensors  # noqa: E402
from rigel_llm.tokenizer import Tokenizer, bytes_to_unicode, pretokenize  # noqa: E402

MODEL = None
TMP = None
PROMPTS = corpus.prompts(8, seed=3) + ["", "Numbers: 12 oracles,   3 agents!\n\nWhat's next?"]


def setUpModule():
    global MODEL, TMP
    TMP = tempfile.mkdtemp(prefix="rigel-llm-test-")
    MODEL = os.path.join(TMP, "model")
    make_model(MODEL, layers=2, embd=64, heads=4, vocab=384, positions=64, seed=1)


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def runtime(dtype="float32", **kw):
    return Runtime(MODEL, make_backend("numpy", dtype, sum_order=kw.pop("sum_order", "natural")), **kw)


class SafetensorsTest(unittest.TestCase):
    def test_round_trip_keeps_names_shapes_dtypes_and_values(self):
        rng = np.random.default_rng(0)
        tensors = {"a": rng.standard_normal((3, 5)).astype(np.float32), "b.c": rng.standard_normal(7).astype(np.float16),
                   "d": rng.standard_normal((2, 2, 2))}  # fmt: skip
        path = os.path.join(TMP, "rt.safetensors")
        save_safetensors(path, tensors, {"format": "pt"})
        back = load_safetensors(path)
        self.assertEqual(sorted(back), ["a", "b.c", "d"])
        for k, v in tensors.items():
            self.assertEqual(back[k].dtype, v.dtype)
            np.testing.assert_array_equal(back[k], v)

    def test_bf16_is_read_as_the_float32_with_the_same_top_bits(self):
        values = np.array([1.0, -2.5, 3.140625], dtype=np.float32)
        raw = (values.view(np.uint32) >> 16).astype("<u2").tobytes()
        header = json.dumps({"x": {"dtype": "BF16", "shape": [3], "data_offsets": [0, len(raw)]}}).encode()
        path = os.path.join(TMP, "bf16.safetensors")
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(header)) + header + raw)
        np.testing.assert_array_equal(load_safetensors(path)["x"], values)

    def test_a_header_running_past_the_end_is_an_error(self):
        path = os.path.join(TMP, "bad.safetensors")
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", 1000) + b"{}")
        with self.assertRaises(SafetensorsError):
            load_safetensors(path)

    def test_tensor_names_with_the_transformer_prefix_load_the_same(self):
        prefixed = os.path.join(TMP, "prefixed")
        shutil.copytree(MODEL, prefixed, dirs_exist_ok=True)
        t = load_safetensors(os.path.join(MODEL, "model.safetensors"))
        save_safetensors(os.path.join(prefixed, "model.safetensors"), {"transformer." + k: v for k, v in t.items()})
        _, a = load_weights(MODEL)
        _, b = load_weights(prefixed)
        self.assertEqual(sorted(a), sorted(b))
        np.testing.assert_array_equal(a["h.1.mlp.c_fc.weight"], b["h.1.mlp.c_fc.weight"])

    def test_a_missing_tensor_is_a_model_error(self):
        broken = os.path.join(TMP, "broken")
        shutil.copytree(MODEL, broken, dirs_exist_ok=True)
        t = load_safetensors(os.path.join(MODEL, "model.safetensors"))
        del t["h.1.ln_2.bias"]
        save_safetensors(os.path.join(broken, "model.safetensors"), t)
        with self.assertRaisesRegex(ModelError, "h.1.ln_2.bias"):
            load_weights(broken)


# GPT-2's pattern with \p{L} / \p{N} narrowed to ASCII: on ASCII text it is exact.
ASCII_PATTERN = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")


class TokenizerTest(unittest.TestCase):
    def test_bytes_to_unicode_is_a_bijection_of_256_printable_characters(self):
        table = bytes_to_unicode()
        self.assertEqual(len(set(table.values())), 256)
        self.assertEqual(table[ord(" ")], "Ġ")

    def test_pretokenization_matches_gpt2s_pattern_on_ascii(self):
        for text in ["Hello world, it's  12 o'clock!\n\n  next   line ", "a\tb  \n c", "x'll've'd  ", "  ", "!!?? 3.14"]:
            self.assertEqual(pretokenize(text), ASCII_PATTERN.findall(text), text)

    def test_pretokenization_groups_unicode_letters_and_numbers(self):
        self.assertEqual(pretokenize("héllo wörld ½ ٣٤"), ["héllo", " wörld", " ½", " ٣٤"])

    def test_encode_decode_round_trips_any_text(self):
        tok = Tokenizer.from_dir(MODEL)
        for text in PROMPTS + ["émoji 🚀 and 漢字\r\n", "  leading and trailing  "]:
            self.assertEqual(tok.decode(tok.encode(text)), text)

    def test_trained_merges_shorten_common_words(self):
        tok = Tokenizer.from_dir(MODEL)
        self.assertLess(len(tok.encode(" the network")), len(" the network"))
        self.assertEqual(tok.eos_id, len(tok.encoder) - 1)


class GenerationTest(unittest.TestCase):
    def test_kv_cache_generation_equals_full_recompute(self):
        rt = runtime("float64")
        for out in rt.generate(PROMPTS[:4], 10, Decoding(), range(4)):
            prompt, gen = out["promptTokens"], out["generatedTokens"]
            logits, _ = rt.hidden_states(prompt, gen)
            self.assertEqual([int(np.argmax(row)) for row in logits], gen)

    def test_batch_of_n_gives_the_tokens_of_batch_1(self):
        rt = runtime()
        together = rt.generate(PROMPTS, 12, Decoding(), range(len(PROMPTS)))
        alone = [rt.generate([p], 12, Decoding(), [i])[0] for i, p in enumerate(PROMPTS)]
        self.assertEqual([o["generatedTokens"] for o in together], [o["generatedTokens"] for o in alone])

    def test_outputs_are_not_a_uniform_soup(self):
        outs = runtime().generate(PROMPTS[:8], 12, Decoding(), range(8))
        first = {o["generatedTokens"][0] for o in outs}
        self.assertGreater(len(first), 3)
        self.assertGreater(np.mean([len(set(o["generatedTokens"])) for o in outs]), 2)

    def test_an_empty_prompt_starts_from_the_end_of_text_token(self):
        rt = runtime()
        out = rt.generate([""], 3, Decoding(), [0])[0]
        self.assertEqual(out["promptTokens"], [rt.eos_id])

    def test_generation_stops_at_the_context_length(self):
        rt = runtime()
        prompt = " ".join(corpus.words()[:22])
        n = len(rt.prompt_tokens(prompt))
        self.assertTrue(40 < n < 64, n)
        out = rt.generate([prompt], 100, Decoding(), [0])[0]
        if out["finishReason"] == "length":
            self.assertEqual(len(out["generatedTokens"]), 64 - n)
        self.assertLessEqual(len(out["generatedTokens"]), 64 - n)

    def test_a_prompt_longer_than_the_context_generates_nothing(self):
        rt = runtime()
        out = rt.generate([" ".join(corpus.words()[:60])], 5, Decoding(), [0])[0]
        self.assertEqual((out["generatedTokens"], out["finishReason"]), ([], "length"))


class SamplingTest(unittest.TestCase):
    def test_the_draws_depend_on_the_seed_and_the_global_index_only(self):
        s = Decoding("sample", 800, 900, "0x01").seed
        self.assertEqual(uniform(item_seed(s, 5), 3), uniform(item_seed(s, 5), 3))
        self.assertNotEqual(uniform(item_seed(s, 5), 3), uniform(item_seed(s, 6), 3))
        self.assertEqual(len(s), 32)

    def test_sampled_generation_is_reproducible_and_depends_on_the_first_item(self):
        rt, dec = runtime(), Decoding("sample", 1000, 950, "0xabc")
        a = rt.generate(PROMPTS[:4], 8, dec, [10, 11, 12, 13])
        b = rt.generate(PROMPTS[:4], 8, dec, [10, 11, 12, 13])
        c = rt.generate(PROMPTS[:4], 8, dec, [20, 21, 22, 23])
        self.assertEqual(a, b)
        self.assertNotEqual([o["generatedTokens"] for o in a], [o["generatedTokens"] for o in c])

    def test_the_sampled_token_lies_in_its_own_interval(self):
        rng = np.random.default_rng(4)
        dec = Decoding("sample", 700, 900, "0x2")
        for _ in range(200):
            logits = rng.standard_normal(50) * 3
            u = float(rng.random())
            tok = choose(logits, dec, u)
            ok, slack = check(logits, tok, dec, u, 0.0, 1e-9)
            self.assertTrue(ok)
            self.assertEqual(slack, 0.0)

    def test_float_noise_on_the_logits_stays_within_the_tolerance(self):
        rng = np.random.default_rng(6)
        dec = Decoding("sample", 800, 900, "0x2")
        for _ in range(300):
            logits = rng.standard_normal(40) * 2
            u = float(rng.random())
            tok = choose(logits, dec, u)
            ok, slack = check(logits + rng.standard_normal(40) * 1e-3, tok, dec, u, 0.0, 0.01)
            self.assertTrue(ok, slack)

    def test_ties_at_the_nucleus_edge_keep_both_tokens(self):
        dec = Decoding("sample", 1000, 500, "0x2")
        logits = np.log(np.array([0.4, 0.4, 0.2]))
        picked = {choose(logits, dec, u) for u in np.linspace(0, 0.999, 50)}
        self.assertEqual(picked, {0, 1})


if __name__ == "__main__":
    unittest.main()
