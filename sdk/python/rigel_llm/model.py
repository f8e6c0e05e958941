"""GPT-2 in the Hugging Face layout: config, weights from safetensors, and one forward with a KV cache.

Tensor names are those of `GPT2Model` (`wte.weight`, `wpe.weight`, `h.{i}.ln_1.weight`, …,
`ln_f.bias`), with or without a `transformer.` prefix; Conv1D weights are `[in, out]`; the LM head is
tied to `wte`. The MLP uses gelu-new (the tanh approximation).
"""

import json
import os

import numpy as np

from .safetensors import load_safetensors

BLOCK_TENSORS = (
    "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
    "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
    "mlp.c_proj.weight", "mlp.c_proj.bias",
)  # fmt: skip
MATRICES = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")


class ModelError(ValueError):
    """The model directory does not hold a readable GPT-2 (missing file, tensor or config field)."""


class Config:
    """The fields of config.json the forward needs."""

    def __init__(self, raw):
        try:
            self.n_layer = int(raw["n_layer"])
            self.n_head = int(raw["n_head"])
            self.n_embd = int(raw["n_embd"])
            self.n_positions = int(raw.get("n_positions", raw.get("n_ctx", 1024)))
            self.vocab_size = int(raw["vocab_size"])
            self.eps = float(raw.get("layer_norm_epsilon", 1e-5))
        except (KeyError, TypeError, ValueError) as e:
            raise ModelError(f"config.json: missing or bad field ({e})") from e
        if self.n_embd % self.n_head:
            raise ModelError(f"config.json: n_embd {self.n_embd} is not a multiple of n_head {self.n_head}")


def fake_quantize(w, bits):
    """`w` [in, out] rounded to a symmetric `bits`-bit grid per output column, returned as float."""
    levels = 2 ** (bits - 1) - 1
    scale = np.abs(w).max(axis=0, keepdims=True) / levels
    scale[scale == 0] = 1
    return (np.clip(np.round(w / scale), -levels, levels) * scale).astype(w.dtype)


def load_weights(model_dir, layers=None, quantize=None):
    """(Config, {name: float32 array}) from `model_dir`; `layers` keeps the first N blocks and
    `quantize` ("int8"|"int4") fake-quantizes the matrices and `wte` (both dev knobs for cheats)."""
    try:
        with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
            config = Config(json.load(f))
        raw = load_safetensors(os.path.join(model_dir, "model.safetensors"))
    except (OSError, json.JSONDecodeError) as e:
        raise ModelError(f"{model_dir}: {e}") from e
    tensors = {(k[len("transformer.") :] if k.startswith("transformer.") else k): v for k, v in raw.items()}
    names = ["wte.weight", "wpe.weight", "ln_f.weight", "ln_f.bias"]
    names += [f"h.{i}.{t}" for i in range(config.n_layer) for t in BLOCK_TENSORS]
    missing = [n for n in names if n not in tensors]
    if missing:
        raise ModelError(f"{model_dir}/model.safetensors lacks {', '.join(missing[:4])}{' …' if len(missing) > 4 else ''}")
    weights = {n: np.asarray(tensors[n], dtype=np.float32) for n in names}
    if weights["wte.weight"].shape[1] != config.n_embd:
        raise ModelError(f"wte.weight is {weights['wte.weight'].shape}, n_embd is {config.n_embd}")
    if layers is not None:
        config.n_layer = min(config.n_layer, int(layers))
    if quantize:
        bits = {"int8": 8, "int4": 4}[quantize]
        for name in list(weights):
            if name.split(".", 2)[-1] in MATRICES:
                weights[name] = fake_quantize(weights[name], bits)
        weights["wte.weight"] = fake_quantize(weights["wte.weight"].T, bits).T.copy()
    return config, weights


class GPT2:
    """A GPT-2 on one backend. `forward` runs T new positions for a batch with a KV cache."""

    def __init__(self, config, weights, backend):
        self.config = config
        self.backend = backend
        self.w = {n: backend.tensor(a) for n, a in weights.items() if not n.startswith("h.") or int(n.split(".")[1]) < config.n_layer}

    def forward(self, ids, positions, key_valid, cache=None):
        """Hidden states after ln_f for the T new positions, and the grown cache.

        ids, positions: int arrays [B, T]; key_valid: bool [B, S] over every position so far (the
        cache's and the new ones; False for left padding); cache: per layer (k, v) or None. A query
        attends to valid keys at or before its own position, and always to itself.
        """
        be, c, w = self.backend, self.config, self.w
        bsz, t = ids.shape
        s = key_valid.shape[1]
        query_at = np.arange(s - t, s)
        allowed = key_valid[:, None, :] & (np.arange(s)[None, None, :] <= query_at[None, :, None])
        allowed |= np.arange(s)[None, None, :] == query_at[None, :, None]
        x = be.embed(w["wte.weight"], ids) + be.embed(w["wpe.weight"], positions)
        grown = []
        for i in range(c.n_layer):
            p = f"h.{i}."
            h = be.layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], c.eps)
            qkv = be.linear(h, w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"])
            d = c.n_embd
            q, k, v = (be.split_heads(qkv[..., j * d : (j + 1) * d], c.n_head) for j in range(3))
            if cache is not None:
                k, v = be.concat(cache[i][0], k, 2), be.concat(cache[i][1], v, 2)
            grown.append((k, v))
            att = be.merge_heads(be.attention(q, k, v, allowed))
            x = x + be.linear(att, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"])
            h = be.layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], c.eps)
            h = be.gelu(be.linear(h, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"]))
            x = x + be.linear(h, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])
        return be.layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], c.eps), grown

    def logits(self, h):
        """float64 numpy logits [..., vocab] for hidden states h (after ln_f), via the tied wte."""
        return self.backend.logits(h, self.w["wte.weight"])
