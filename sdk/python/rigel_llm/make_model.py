"""Deterministic small GPT-2 models for tests, the demo and the calibration.

The tokenizer is a byte-level BPE trained on the built-in text (`corpus.TEXT`). Weights come from
numpy's PCG64 generator seeded with `seed`, scaled so that the model is a peaky random function and
not a uniform soup: every matrix is N(0, 1/fan_in) (so each block's output is as large as the
residual stream and the layers matter), `wte` is N(0, 1/n_embd) (rows of norm about 1, small next
to the blocks' output, so the tied LM head does not favour repeating the input token) and `ln_f`'s
gain is 4·(1 + N(0, 0.1²)) (so a logit has a standard deviation of about 4 and greedy decoding has
clear winners); `wpe` is N(0, 0.1²), the other layer-norm gains 1 + N(0, 0.1²), biases N(0, 0.02²).
"""

import json
import os

import numpy as np

from .corpus import TEXT
from .model import BLOCK_TENSORS
from .safetensors import save_safetensors
from .tokenizer import train_bpe


def make_model(out_dir, layers=2, embd=64, heads=4, vocab=384, positions=128, seed=1):
    """Write config.json, model.safetensors, vocab.json and merges.txt to `out_dir`."""
    vocab_map, merges = train_bpe(TEXT, vocab)
    n_vocab = len(vocab_map)
    rng = np.random.default_rng(seed)

    def normal(shape, std):
        return (rng.standard_normal(shape) * std).astype(np.float32)

    t = {
        "wte.weight": normal((n_vocab, embd), 1.0 / np.sqrt(embd)),
        "wpe.weight": normal((positions, embd), 0.1),
        "ln_f.weight": 4 * (1 + normal((embd,), 0.1)),
        "ln_f.bias": normal((embd,), 0.02),
    }
    shapes = {
        "attn.c_attn.weight": (embd, 3 * embd), "attn.c_proj.weight": (embd, embd),
        "mlp.c_fc.weight": (embd, 4 * embd), "mlp.c_proj.weight": (4 * embd, embd),
    }  # fmt: skip
    for i in range(layers):
        for name in BLOCK_TENSORS:
            full = f"h.{i}.{name}"
            if name in shapes:
                t[full] = normal(shapes[name], 1 / np.sqrt(shapes[name][0]))
            elif name.endswith("bias") and not name.startswith("ln"):
                t[full] = normal((shapes[name.replace("bias", "weight")][1],), 0.02)
            elif name.endswith("weight"):
                t[full] = 1 + normal((embd,), 0.1)
            else:
                t[full] = normal((embd,), 0.02)
    os.makedirs(out_dir, exist_ok=True)
    config = {
        "model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_layer": layers, "n_head": heads,
        "n_embd": embd, "n_positions": positions, "n_ctx": positions, "vocab_size": n_vocab,
        "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
        "bos_token_id": n_vocab - 1, "eos_token_id": n_vocab - 1,
    }  # fmt: skip
    with open(os.path.join(out_dir, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    save_safetensors(os.path.join(out_dir, "model.safetensors"), t, {"format": "pt"})
    with open(os.path.join(out_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab_map, f, ensure_ascii=False)
    with open(os.path.join(out_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    return config
