"""Generation and verification of items: the two halves of an `llm-inference` shard (PROTOCOL §19)."""

import numpy as np

from . import fingerprint
from .decoding import check, choose, item_seed, uniform
from .model import GPT2, load_weights
from .tokenizer import Tokenizer

# PROTOCOL §19.3: the verifier's thresholds, calibrated by `npm run bench:inference`.
THRESHOLDS = {
    "min_overlap": 0.75,  # fraction of the claimed top-k indices among the recomputed top-k
    "max_mean_err": 0.02,  # mean |Δvalue| / mean |value| over a chunk's claimed entries
    "max_max_err": 0.08,  # largest |Δvalue| / mean |value| in a chunk
    "greedy_margin": 0.5,  # logits: a greedy token may trail the recomputed maximum by this much
    "sample_logit_margin": 0.2,  # logits: a sampled token's interval widens by margin / (2·T) of mass
}


# PROTOCOL §19.5: float32-grade thresholds (`verify --tolerance float32`), for results that must come
# from float32 or float16 arithmetic: they reject honest bfloat16 runs, and int8 weights with them.
THRESHOLDS_FLOAT32 = dict(THRESHOLDS, max_mean_err=0.003, max_max_err=0.012, greedy_margin=0.1, sample_logit_margin=0.05)
TOLERANCES = {"standard": THRESHOLDS, "float32": THRESHOLDS_FLOAT32}


def sample_eps(decoding, thresholds):
    """The mass tolerance of a sampled token: a logit error δ moves a CDF boundary F by at most
    F(1 − F)(e^(2δ/T) − 1) ≈ δ / (2T), so `sample_logit_margin` δ gives ε = δ / (2T), at most 0.5."""
    return min(0.5, thresholds["sample_logit_margin"] / (2 * decoding.temperature))


class Runtime:
    """A loaded model, its tokenizer and a backend; `layers` and `quantize` are cheat knobs."""

    def __init__(self, model_dir, backend, layers=None, quantize=None):
        self.config, weights = load_weights(model_dir, layers=layers, quantize=quantize)
        self.tokenizer = Tokenizer.from_dir(model_dir)
        self.model = GPT2(self.config, weights, backend)
        self.eos_id = self.tokenizer.eos_id

    def prompt_tokens(self, prompt):
        """The tokens of a prompt; an empty prompt is [EOS] (GPT-2's usual start token)."""
        ids = self.tokenizer.encode(prompt)
        return ids if ids or self.eos_id is None else [self.eos_id]

    def budget(self, prompt_len, max_new):
        """How many tokens an item may generate: maxNewTokens, cut by the context length."""
        return max(0, min(max_new, self.config.n_positions - prompt_len))

    def generate(self, prompts, max_new, decoding, global_indices):
        """Outputs (dicts, as written to output.json) for a batch of prompts, left-padded together."""
        return self.generate_ids([self.prompt_tokens(p) for p in prompts], max_new, decoding, global_indices)

    def generate_ids(self, toks, max_new, decoding, global_indices):
        """As `generate`, from prompt token lists."""
        limits = [self.budget(len(t), max_new) for t in toks]
        seeds = [item_seed(decoding.seed, g) for g in global_indices]
        gen = [[] for _ in toks]
        hid = [[] for _ in toks]
        live = [i for i, lim in enumerate(limits) if lim > 0]
        if live:
            self._decode_rows(toks, live, limits, decoding, seeds, gen, hid)
        return [self._output(toks[i], gen[i], hid[i]) for i in range(len(toks))]

    def _decode_rows(self, toks, rows, limits, decoding, seeds, gen, hid):
        be, width = self.model.backend, max(len(toks[r]) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        valid = np.zeros((len(rows), width), dtype=bool)
        for b, r in enumerate(rows):
            ids[b, width - len(toks[r]) :] = toks[r]
            valid[b, width - len(toks[r]) :] = True
        positions = np.maximum(np.cumsum(valid, axis=1) - 1, 0)
        h, cache = self.model.forward(ids, positions, valid, None)
        last, done = h[:, -1], [False] * len(rows)
        next_pos = positions[:, -1] + 1
        while True:
            logits = self.model.logits(last)
            host = be.to_numpy(last)
            step_ids = np.zeros((len(rows), 1), dtype=np.int64)
            for b, r in enumerate(rows):
                if done[b]:
                    step_ids[b, 0] = ids[b, -1] if self.eos_id is None else self.eos_id
                    continue
                u = uniform(seeds[r], len(gen[r])) if decoding.mode == "sample" else None
                tok = choose(logits[b], decoding, u)
                gen[r].append(tok)
                hid[r].append(host[b])
                step_ids[b, 0] = tok
                done[b] = tok == self.eos_id or len(gen[r]) >= limits[r]
            if all(done):
                return
            valid = np.concatenate([valid, np.ones((len(rows), 1), dtype=bool)], axis=1)
            at = np.minimum(next_pos, self.config.n_positions - 1)[:, None]  # finished rows run on
            h, cache = self.model.forward(step_ids, at, valid, cache)
            last, next_pos = h[:, -1], next_pos + 1

    def _output(self, prompt, generated, hidden):
        eos = bool(generated) and generated[-1] == self.eos_id
        text_ids = generated[:-1] if eos else generated
        width = self.config.n_embd
        hidden = np.stack(hidden) if hidden else np.zeros((0, width), dtype=np.float32)
        return {
            "version": 1,
            "promptTokens": list(map(int, prompt)),
            "generatedTokens": list(map(int, generated)),
            "text": self.tokenizer.decode(text_ids),
            "finishReason": "eos" if eos else "length",
            "fingerprint": fingerprint.build(hidden),
        }

    def hidden_states(self, prompt_ids, gen):
        """(float64 logits [n, vocab], float32 hidden [n, n_embd]) at the n generated positions,
        from one prefill over prompt + generated tokens (the last generated token is not fed)."""
        seq = np.asarray([list(prompt_ids) + list(gen[:-1])], dtype=np.int64)
        h, _ = self.model.forward(seq, np.arange(seq.shape[1])[None, :], np.ones(seq.shape, dtype=bool), None)
        h = h[:, len(prompt_ids) - 1 :]
        return self.model.logits(h)[0], self.model.backend.to_numpy(h)[0]

    def verify(self, prompt, output, max_new, decoding, global_index, thresholds=THRESHOLDS):
        """{"valid", "reason", statistics} for one item's claimed output (see PROTOCOL §19.3)."""
        verdict = {"valid": False, "reason": None}
        reason = self._check_shape(prompt, output, max_new)
        if reason:
            verdict["reason"] = reason
            return verdict
        prompt_ids, gen = output["promptTokens"], output["generatedTokens"]
        n = len(gen)
        stats = {"tokens": n, "worstSlack": 0.0, "minOverlap": 1.0, "maxMeanErr": 0.0, "maxMaxErr": 0.0}
        verdict.update(stats)
        if n == 0:
            verdict.update(valid=True)
            return verdict
        logits, hidden = self.hidden_states(prompt_ids, gen)
        seed = item_seed(decoding.seed, global_index)
        bad_step = None
        for j, tok in enumerate(gen):
            u = uniform(seed, j) if decoding.mode == "sample" else None
            ok, slack = check(logits[j], tok, decoding, u, thresholds["greedy_margin"], sample_eps(decoding, thresholds))
            if slack != float("inf"):
                verdict["worstSlack"] = max(verdict["worstSlack"], slack)
            if not ok and bad_step is None:
                bad_step = j
        try:
            chunks = fingerprint.compare(output["fingerprint"], hidden)
        except fingerprint.FingerprintError as e:
            verdict["reason"] = f"fingerprint malformed: {e}"
            return verdict
        verdict["minOverlap"] = min(c["overlap"] for c in chunks)
        verdict["maxMeanErr"] = max(c["mean_err"] for c in chunks)
        verdict["maxMaxErr"] = max(c["max_err"] for c in chunks)
        if bad_step is not None:
            verdict["reason"] = f"generated token {bad_step} ({gen[bad_step]}) is not what the decoding rule gives"
        elif verdict["minOverlap"] < thresholds["min_overlap"]:
            verdict["reason"] = f"fingerprint top-k overlap {verdict['minOverlap']:.3f} < {thresholds['min_overlap']}"
        elif verdict["maxMeanErr"] > thresholds["max_mean_err"]:
            verdict["reason"] = f"fingerprint mean error {verdict['maxMeanErr']:.4f} > {thresholds['max_mean_err']}"
        elif verdict["maxMaxErr"] > thresholds["max_max_err"]:
            verdict["reason"] = f"fingerprint max error {verdict['maxMaxErr']:.4f} > {thresholds['max_max_err']}"
        else:
            verdict["valid"] = True
        return verdict

    def _check_shape(self, prompt, output, max_new):
        """The reason a claimed output is invalid before any arithmetic, or None."""
        if not isinstance(output, dict) or output.get("version") != 1:
            return "output.json is not a version-1 object"
        prompt_ids, gen = output.get("promptTokens"), output.get("generatedTokens")
        if not all(isinstance(x, list) and all(isinstance(t, int) and not isinstance(t, bool) for t in x) for x in (prompt_ids, gen)):
            return "promptTokens / generatedTokens are not integer lists"
        if prompt_ids != self.prompt_tokens(prompt):
            return "promptTokens are not the tokenizer's tokens of the prompt"
        vocab = self.config.vocab_size
        if any(not 0 <= t < vocab for t in gen):
            return f"a generated token is outside the vocabulary (size {vocab})"
        limit = self.budget(len(prompt_ids), max_new)
        if len(gen) > limit:
            return f"{len(gen)} tokens generated, more than the limit {limit}"
        if self.eos_id in gen[:-1]:
            return "generation continued past the end-of-text token"
        eos = bool(gen) and gen[-1] == self.eos_id
        if output.get("finishReason") != ("eos" if eos else "length"):
            return f"finishReason {output.get('finishReason')!r} does not match the tokens"
        if not eos and len(gen) < limit:
            return f"generation truncated: {len(gen)} tokens of {limit}, no end-of-text"
        if output.get("text") != self.tokenizer.decode(gen[:-1] if eos else gen):
            return "text is not the decoding of generatedTokens"
        return None
