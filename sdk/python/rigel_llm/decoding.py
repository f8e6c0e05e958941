"""The decoding rules, their seeded draws, and the verifier's tolerant checks of a claimed token.

Greedy picks the lowest index among the maximal logits. Sampling (PROTOCOL §19.4): probabilities
p = softmax(logits / T) in float64; the nucleus keeps token t when the mass of the tokens strictly
more probable than t is below top-p (ties stay together, so the set does not depend on a sort);
the draw u ∈ [0, 1) picks, walking the kept tokens in increasing token id, the first whose running
mass exceeds u · (kept mass). Ordering by token id rather than by probability keeps each token's
interval stable under float noise.

The draw for generated token j of the item at global index g under the spec seed S (hex, up to 32
bytes, left-padded with zeros to 32): item_seed = sha256("rigel-llm-sample-v1" ‖ S ‖ uint64_be(g)),
u_j = (uint64_be(sha256(item_seed ‖ uint32_be(j))[0:8]) >> 11) / 2^53.
"""

import hashlib

import numpy as np


class Decoding:
    """mode "greedy", or "sample" with temperature_milli, top_p_milli and a hex seed."""

    def __init__(self, mode="greedy", temperature_milli=1000, top_p_milli=1000, seed="0x0"):
        if mode not in ("greedy", "sample"):
            raise ValueError(f"unknown decoding mode {mode}")
        if mode == "sample" and not (temperature_milli > 0 and 0 < top_p_milli <= 1000):
            raise ValueError("sampling needs temperature-milli > 0 and 0 < top-p-milli <= 1000")
        self.mode = mode
        self.temperature = temperature_milli / 1000.0
        self.top_p = top_p_milli / 1000.0
        self.seed = seed_bytes(seed)


def seed_bytes(seed):
    text = seed[2:] if seed.lower().startswith("0x") else seed
    raw = bytes.fromhex(text.rjust(2 * ((len(text) + 1) // 2), "0"))
    if len(raw) > 32:
        raise ValueError("the seed is longer than 32 bytes")
    return raw.rjust(32, b"\0")


def item_seed(seed32, global_index):
    return hashlib.sha256(b"rigel-llm-sample-v1" + seed32 + int(global_index).to_bytes(8, "big")).digest()


def uniform(item_seed_bytes, step):
    """The draw u_j ∈ [0, 1) for generated token `step`, 53 bits."""
    digest = hashlib.sha256(item_seed_bytes + int(step).to_bytes(4, "big")).digest()
    return (int.from_bytes(digest[:8], "big") >> 11) / float(1 << 53)


def probabilities(logits, temperature):
    z = np.asarray(logits, dtype=np.float64) / temperature
    z -= z.max()
    p = np.exp(z)
    return p / p.sum()


def _mass_above(p, p_ref):
    """For each value of p_ref: the total probability of the tokens with p strictly greater."""
    order = np.sort(p)[::-1]
    cum = np.concatenate([[0.0], np.cumsum(order)])
    return cum[np.searchsorted(-order, -np.asarray(p_ref), side="left")]


def choose(logits, decoding, u=None):
    """The token id the rule picks from float64 logits (and the draw u when sampling)."""
    if decoding.mode == "greedy":
        return int(np.argmax(logits))
    p = probabilities(logits, decoding.temperature)
    kept = _mass_above(p, p) < decoding.top_p
    mass = np.where(kept, p, 0.0)
    running = np.cumsum(mass)
    t = int(np.searchsorted(running, u * running[-1], side="right"))
    return t if t < len(p) and kept[t] else int(np.flatnonzero(kept)[-1])


def check(logits, token, decoding, u, margin, eps):
    """(ok, slack) for a claimed token under recomputed logits.

    greedy: ok when logit[token] ≥ max − margin; slack = max − logit[token] (0 for the argmax).
    sample: ok when the token may be in the nucleus and u falls in its interval widened to cover
    every nucleus within `eps` of probability mass (tokens whose membership float noise could flip
    count as in or out, whichever is kinder) and by `eps` on each side; slack = u's distance outside
    that interval before the `eps` widening (0 when inside).
    """
    if not 0 <= token < len(logits):
        return False, float("inf")
    if decoding.mode == "greedy":
        slack = float(np.max(logits) - logits[token])
        return slack <= margin, slack
    p = probabilities(logits, decoding.temperature)
    top = decoding.top_p
    # "strictly more probable" with noise: counts only tokens clearly above (possible) or also
    # near-ties (certain).
    possible = _mass_above(p, p + eps) < top + eps
    certain = _mass_above(p, p - eps) - p < top - eps
    if not possible[token]:
        return False, float("inf")
    certain[token] = True
    before = np.arange(len(p)) < token
    lo_min, lo_max = float(p[certain & before].sum()), float(p[possible & before].sum())
    z_min, z_max = float(p[certain].sum()), float(p[possible].sum())
    low, high = lo_min / z_max, (lo_max + p[token]) / z_min
    slack = max(0.0, low - u, u - high)
    return slack <= eps, slack
