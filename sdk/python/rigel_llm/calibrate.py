"""`npm run bench:inference`: the measurements behind the verifier's thresholds (PROTOCOL §19.5).

On an 8-layer, 256-wide test model: honest variants (numpy float32 / float64, a reversed summation
order, batch 1 and 16, torch float32 / bfloat16 / float16 when torch imports) must all pass the
reference verifier (numpy float64) and a bfloat16 one; cheats (other weights, fewer layers, int8
and int4 weights, one prompt token changed, one generated token changed, truncation, text of a
smaller model with a correct fingerprint, a fingerprint copied from another item) must fail. Prints
a table and the distributions; `--json FILE` writes them.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

from . import corpus, fingerprint
from .backends import make_backend, torch_python
from .decoding import Decoding
from .make_model import make_model
from .runtime import THRESHOLDS, THRESHOLDS_FLOAT32, Runtime

BATCH = 16
INFER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "infer.py")


def _decoding_flags(decoding):
    if decoding.mode == "greedy":
        return ["--decoding", "greedy"]
    return ["--decoding", "sample", "--temperature-milli", str(round(decoding.temperature * 1000)),
            "--top-p-milli", str(round(decoding.top_p * 1000)), "--seed", "0x" + decoding.seed.hex()]  # fmt: skip


class TorchProcess:
    """The torch variants, run as `infer.py` commands under a python that imports torch (Debian's
    torch is built for /usr/bin/python3, whose numpy uses the slow reference BLAS, so the numpy
    variants stay in this process)."""

    def __init__(self, python, model, work, max_new):
        self.python, self.model, self.work, self.max_new = python, model, work, max_new

    def _prompts(self, prompts):
        path = os.path.join(self.work, f"prompts-{len(prompts)}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(p) + "\n" for p in prompts)
        return path

    def generate(self, prompts, dtype, decoding):
        out = os.path.join(self.work, f"torch-{dtype}-{decoding.mode}")
        shutil.rmtree(out, ignore_errors=True)
        cmd = [self.python, INFER, "generate", "--backend", "torch", "--dtype", dtype, "--device", "cpu", "--model", self.model,
               "--prompts", self._prompts(prompts), "--out", out, "--batch-size", str(BATCH),
               "--max-new-tokens", str(self.max_new), *_decoding_flags(decoding)]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        seconds = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
        outs = []
        for i in range(len(prompts)):
            with open(os.path.join(out, str(i), "output.json"), encoding="utf-8") as f:
                outs.append(json.load(f))
        return outs, seconds / max(1, len(prompts))

    def verify(self, prompts, outs, dtype, decoding):
        result = os.path.join(self.work, "to-verify")
        shutil.rmtree(result, ignore_errors=True)
        for i, o in enumerate(outs):
            os.makedirs(os.path.join(result, str(i)))
            with open(os.path.join(result, str(i), "output.json"), "w", encoding="utf-8") as f:
                json.dump(o, f)
        cmd = [self.python, INFER, "verify", "--backend", "torch", "--dtype", dtype, "--device", "cpu", "--model", self.model,
               "--prompts", self._prompts(prompts), "--result", result,
               "--max-new-tokens", str(self.max_new), *_decoding_flags(decoding)]  # fmt: skip
        started = time.time()
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"torch verify exited {done.returncode}: {done.stdout[-500:]} {done.stderr[-500:]}")
        return json.loads(done.stdout)["items"], (time.time() - started) / max(1, len(prompts))


def _generate(runtime, prompts, max_new, decoding, batch=BATCH):
    outs, started = [], time.process_time()
    for lo in range(0, len(prompts), batch):
        chunk = prompts[lo : lo + batch]
        outs += runtime.generate(chunk, max_new, decoding, list(range(lo, lo + len(chunk))))
    return outs, (time.process_time() - started) / max(1, len(prompts))


def _verify_all(verifier, prompts, outs, max_new, decoding, thresholds=THRESHOLDS):
    verdicts, started = [], time.process_time()
    for i, (p, o) in enumerate(zip(prompts, outs)):
        verdicts.append(verifier.verify(p, o, max_new, decoding, i, thresholds))
    return verdicts, (time.process_time() - started) / max(1, len(prompts))


def _row(name, kind, verdicts, sample):
    n = len(verdicts)
    rejected = sum(1 for v in verdicts if not v["valid"])
    reasons = {}
    for v in verdicts:
        if not v["valid"]:
            key = v["reason"].split(" ")[0] + " " + v["reason"].split(" ")[1]
            reasons[key] = reasons.get(key, 0) + 1
    rate = rejected / n if n else 0.0
    shards = n // sample
    accepted_shards = sum(1 for s in range(shards) if all(v["valid"] for v in verdicts[s * sample : (s + 1) * sample]))
    stat = lambda key, f: f([v.get(key, 0.0) for v in verdicts if "tokens" in v]) if any("tokens" in v for v in verdicts) else None  # noqa: E731
    return {
        "variant": name, "kind": kind, "items": n, "rejected": rejected, "rate": rate,
        "shards": shards, "acceptedShards": accepted_shards, "pAcceptShard": f"{(1 - rate) ** sample:.3g}",  # a string: prettier rewrites 1e-08
        "minOverlap": stat("minOverlap", min), "maxMeanErr": stat("maxMeanErr", max),
        "maxMaxErr": stat("maxMaxErr", max), "maxSlack": stat("worstSlack", max), "reasons": reasons,
        "meanErrP50": stat("maxMeanErr", lambda xs: float(np.median(xs))),
    }  # fmt: skip


def _cheat_prompt_token(runtime, prompts, max_new, decoding, rng):
    toks = [runtime.prompt_tokens(p) for p in prompts]
    changed = []
    for t in toks:
        t = list(t)
        j = int(rng.integers(len(t)))
        t[j] = (t[j] + 1 + int(rng.integers(runtime.config.vocab_size - 2))) % (runtime.config.vocab_size - 1)
        changed.append(t)
    outs = []
    for lo in range(0, len(changed), BATCH):
        outs += runtime.generate_ids(changed[lo : lo + BATCH], max_new, decoding, list(range(lo, lo + BATCH)))
    for o, t in zip(outs, toks):
        o["promptTokens"] = list(t)
    return outs


def _cheat_generated_token(runtime, outs, rng):
    cheats = []
    for o in outs:
        o = json.loads(json.dumps(o))
        gen = o["generatedTokens"]
        body = len(gen) - (1 if o["finishReason"] == "eos" else 0)
        if body:
            j = int(rng.integers(body))
            gen[j] = (gen[j] + 1 + int(rng.integers(runtime.config.vocab_size - 2))) % (runtime.config.vocab_size - 1)
            o["text"] = runtime.tokenizer.decode(gen[:body])
        cheats.append(o)
    return cheats


def _cheat_truncated(runtime, outs, rng):
    cheats = []
    for o in outs:
        o = json.loads(json.dumps(o))
        n = len(o["generatedTokens"])
        if n > 1:
            keep = int(rng.integers(1, n))
            o["generatedTokens"] = o["generatedTokens"][:keep]
            o["finishReason"] = "length"
            o["text"] = runtime.tokenizer.decode(o["generatedTokens"])
            _, hidden = runtime.hidden_states(o["promptTokens"], o["generatedTokens"])
            o["fingerprint"] = fingerprint.build(hidden)
        cheats.append(o)
    return cheats


def _cheat_small_text(runtime, small, prompts, max_new, decoding):
    """Tokens from a smaller model; the fingerprint honestly recomputed on the big one (one prefill)."""
    outs, _ = _generate(small, prompts, max_new, decoding)
    for o in outs:
        if o["generatedTokens"]:
            _, hidden = runtime.hidden_states(o["promptTokens"], o["generatedTokens"])
            o["fingerprint"] = fingerprint.build(hidden)
    return outs


def _cheat_copied(outs):
    cheats = []
    for i, o in enumerate(outs):
        o = dict(o)
        o["fingerprint"] = outs[(i + 1) % len(outs)]["fingerprint"]
        cheats.append(o)
    return cheats


def _print_table(rows, thresholds, costs, args):
    print(f"\nthresholds: {json.dumps(thresholds)}; oracle sample s = {args.sample_size}")
    print("| variant | kind | items | rejected | per-item rate | shards of s accepted | min overlap | max mean err | max max err | max slack |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        fmt = lambda x, d=4: "—" if x is None else f"{x:.{d}f}"  # noqa: E731
        print(f"| {r['variant']} | {r['kind']} | {r['items']} | {r['rejected']} | {r['rate']:.3f} | {r['acceptedShards']}/{r['shards']} | {fmt(r['minOverlap'], 3)} | {fmt(r['maxMeanErr'])} | {fmt(r['maxMaxErr'])} | {fmt(r['maxSlack'], 3)} |")
    print("\ncost (CPU seconds per item, one thread):")
    for k, v in costs.items():
        print(f"  {k}: {v:.4f}")


def _float32_tolerance(args, prompts, big, ref, np32, torch, greedy, rows, s, started):
    """The float32-grade thresholds: float32 / float16 variants must pass, bfloat16 and int8 fail."""
    fp = prompts[: args.float32_items]
    m = args.max_new_tokens
    variants = [
        ("honest", "numpy float32, batch 16", lambda: _generate(np32(), fp, m, greedy)[0]),
        ("honest", "numpy float32, reversed sums", lambda: _generate(np32(sum_order="reversed"), fp, m, greedy)[0]),
        ("cheat", "int8 weights", lambda: _generate(Runtime(big, make_backend("numpy", "float32"), quantize="int8"), fp, m, greedy)[0]),
    ]
    if torch:
        variants += [("honest", "torch float16, batch 16", lambda: torch.generate(fp, "float16", greedy)[0]),
                     ("excluded", "torch bfloat16, batch 16", lambda: torch.generate(fp, "bfloat16", greedy)[0])]  # fmt: skip
    for kind, name, gen in variants:
        verdicts, _ = _verify_all(ref, fp, gen(), m, greedy, THRESHOLDS_FLOAT32)
        rows.append(_row(f"{name} → verify numpy float64, float32 tolerance", kind, verdicts, s))
        print(f"[{time.time() - started:6.1f}s] {rows[-1]['variant']}: {rows[-1]['rejected']}/{len(fp)} rejected", flush=True)


def calibrate(args):
    work = args.work or tempfile.mkdtemp(prefix="rigel-llm-cal-")
    os.makedirs(work, exist_ok=True)
    started = time.time()
    big, other, small = (os.path.join(work, n) for n in ("big", "other", "small"))
    make_model(big, layers=8, embd=256, heads=8, vocab=512, seed=1)
    make_model(other, layers=8, embd=256, heads=8, vocab=512, seed=2)
    make_model(small, layers=2, embd=64, heads=4, vocab=512, seed=3)
    n, m, s = args.items, args.max_new_tokens, args.sample_size
    n_cheat = max(s, min(n, args.cheat_items))
    prompts = corpus.prompts(n, seed=7)
    greedy = Decoding("greedy")
    sample = Decoding("sample", 800, 900, "0x5eed")
    rng = np.random.default_rng(11)
    np32 = lambda **kw: Runtime(big, make_backend("numpy", "float32", **kw))  # noqa: E731
    ref = Runtime(big, make_backend("numpy", "float64"))
    tpy = torch_python()
    torch = TorchProcess(tpy, big, work, m) if tpy else None
    bf16v = "torch bfloat16"
    rows, costs, honest_outs = [], {}, {}

    def run(name, kind, outs, decoding, cross=False):
        k = len(outs)
        verdicts, per_item = _verify_all(ref, prompts[:k], outs, m, decoding)
        rows.append(_row(f"{name} → verify numpy float64", kind, verdicts, s))
        costs.setdefault(f"verify numpy float64 ({decoding.mode})", per_item)
        print(f"[{time.time() - started:6.1f}s] {rows[-1]['variant']}: {rows[-1]['rejected']}/{k} rejected", flush=True)
        if cross and torch:
            verdicts, per_item = torch.verify(prompts[:k], outs, "bfloat16", decoding)
            rows.append(_row(f"{name} → verify {bf16v}", kind, verdicts, s))
            costs.setdefault(f"verify {bf16v} ({decoding.mode}, wall incl. start)", per_item)
            print(f"[{time.time() - started:6.1f}s] {rows[-1]['variant']}: {rows[-1]['rejected']}/{k} rejected", flush=True)

    # Honest variants: generated here (numpy) or by the torch process.
    honest = [
        ("numpy float32, batch 16", lambda: _generate(np32(), prompts, m, greedy, BATCH)),
        ("numpy float32, batch 1", lambda: _generate(np32(), prompts, m, greedy, 1)),
        ("numpy float64, batch 16", lambda: _generate(ref, prompts, m, greedy, BATCH)),
        ("numpy float32, reversed sums", lambda: _generate(np32(sum_order="reversed"), prompts, m, greedy, BATCH)),
    ]
    if torch:
        honest += [(f"torch {dt}, batch 16", lambda dt=dt: torch.generate(prompts, dt, greedy)) for dt in ("float32", "bfloat16", "float16")]
    else:
        print("torch is not importable by any python here: the torch variants are skipped", flush=True)
    parts = set(args.parts.split(","))
    for name, gen in honest if "greedy" in parts or "cheats" in parts else []:
        if "greedy" not in parts and name != "numpy float32, batch 16":
            continue
        outs, per_item = gen()
        costs[f"generate {name} (greedy)"] = per_item
        honest_outs[name] = outs
        run(name, "honest", outs, greedy, cross=name in ("numpy float32, batch 16", "torch bfloat16, batch 16"))
    sp = prompts[: args.sampled_items]
    sampled = [("numpy float32, batch 16", lambda: _generate(np32(), sp, m, sample))]
    if torch:
        sampled.append(("torch bfloat16, batch 16", lambda: torch.generate(sp, "bfloat16", sample)))
    for name, gen in sampled if "sampled" in parts else []:
        outs, per_item = gen()
        costs[f"generate {name} (sample)"] = per_item
        run(name + ", sampled T=0.8 p=0.9", "honest", outs, sample, cross=True)
        if name == "numpy float32, batch 16":
            run("one generated token changed, sampled", "cheat", _cheat_generated_token(ref, outs[:n_cheat], rng), sample)

    if "float32" in parts:
        _float32_tolerance(args, prompts, big, ref, np32, torch, greedy, rows, s, started)

    # Cheats, on the first n_cheat items.
    cp = prompts[:n_cheat]
    base = honest_outs.get("numpy float32, batch 16", [])[:n_cheat]
    cheats = [
        ("other weights (seed 2)", lambda: _generate(Runtime(other, make_backend("numpy", "float32")), cp, m, greedy)[0]),
        ("7 of 8 layers", lambda: _generate(Runtime(big, make_backend("numpy", "float32"), layers=7), cp, m, greedy)[0]),
        ("int8 weights", lambda: _generate(Runtime(big, make_backend("numpy", "float32"), quantize="int8"), cp, m, greedy)[0]),
        ("int4 weights", lambda: _generate(Runtime(big, make_backend("numpy", "float32"), quantize="int4"), cp, m, greedy)[0]),
        ("one prompt token changed", lambda: _cheat_prompt_token(np32(), cp, m, greedy, rng)),
        ("one generated token changed", lambda: _cheat_generated_token(ref, base, rng)),
        ("generation truncated", lambda: _cheat_truncated(ref, base, rng)),
        ("text of a 2×64 model, true fingerprint", lambda: _cheat_small_text(ref, Runtime(small, make_backend("numpy", "float32")), cp, m, greedy)),
        ("fingerprint of the next item", lambda: _cheat_copied(base)),
    ]
    for name, build in cheats if "cheats" in parts else []:
        run(name, "cheat", build(), greedy, cross=name.startswith("int8"))

    honest_rows = [r for r in rows if r["kind"] == "honest" and "float32 tolerance" not in r["variant"]]
    greedy_rows = [r for r in honest_rows if "sampled" not in r["variant"]]
    sample_rows = [r for r in honest_rows if "sampled" in r["variant"]]
    suggested = {
        "min_overlap (honest min)": min((r["minOverlap"] for r in honest_rows), default=None),
        "max_mean_err (honest max)": max((r["maxMeanErr"] for r in honest_rows), default=None),
        "max_max_err (honest max)": max((r["maxMaxErr"] for r in honest_rows), default=None),
        "greedy logit slack (honest max)": max((r["maxSlack"] for r in greedy_rows), default=None),
        "sample mass slack (honest max)": max((r["maxSlack"] for r in sample_rows), default=None),
    }
    _print_table(rows, THRESHOLDS, costs, args)
    print("\nhonest extremes:", json.dumps(suggested))
    print(f"\n{n} honest items per variant, {n_cheat} per cheat, {m} new tokens; {time.time() - started:.0f} s")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        record = {"thresholds": THRESHOLDS, "rows": rows, "costs": costs, "honestExtremes": suggested,
                  "items": n, "cheatItems": n_cheat, "maxNewTokens": m, "sampleSize": s}  # fmt: skip
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(json.dumps(record, indent=2, ensure_ascii=False) + "\n")  # prettier-stable
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    false_rejects = sum(r["rejected"] for r in honest_rows)
    return 0 if false_rejects == 0 else 1
