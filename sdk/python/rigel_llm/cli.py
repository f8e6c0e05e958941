"""`infer.py` commands: generate, verify, make-model, calibrate (PROTOCOL §19.2)."""

import argparse
import json
import os
import sys
import time

from .backends import BackendError, make_backend, torch_available
from .decoding import Decoding
from .model import ModelError
from .runtime import TOLERANCES, Runtime
from .safetensors import SafetensorsError

EXIT_VALID, EXIT_INVALID, EXIT_COULD_NOT_VERIFY = 0, 1, 2


class InputError(ValueError):
    """A prompts or result file that cannot be read (the caller's input, not the model)."""


def read_prompts(path):
    """The prompts of FILE: one JSON string per line (blank lines ignored)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line for line in f.read().split("\n") if line.strip()]
        prompts = [json.loads(line) for line in lines]
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: {e}") from e
    bad = [i for i, p in enumerate(prompts) if not isinstance(p, str)]
    if bad:
        raise InputError(f"{path}: line {bad[0]} is not a JSON string")
    return prompts


def _decoding(args):
    return Decoding(args.decoding, args.temperature_milli, args.top_p_milli, args.seed)


def _backend(args, default_dtype):
    dtype = args.dtype or default_dtype
    name = args.backend
    if name == "auto":
        name = "torch" if torch_available() and dtype != "float64" else "numpy"
    device = args.device or ("cuda" if name == "torch" and _cuda() else "cpu")
    return make_backend(name, dtype, device, getattr(args, "sum_order", "natural"))


def _cuda():
    import torch

    return torch.cuda.is_available()


def _common(p, default_dtype):
    p.add_argument("--model", required=True, help="directory with config.json, model.safetensors, vocab.json, merges.txt")
    p.add_argument("--prompts", required=True, help="one JSON string per line")
    p.add_argument("--max-new-tokens", type=int, default=16)
    p.add_argument("--dtype", choices=["float32", "float16", "bfloat16", "float64"], default=None, help=f"default {default_dtype}")
    p.add_argument("--device", choices=["cpu", "cuda"], default=None, help="default cuda when torch sees a GPU")
    p.add_argument("--backend", choices=["auto", "numpy", "torch"], default="auto", help="auto: torch when importable, else numpy")
    p.add_argument("--decoding", choices=["greedy", "sample"], default="greedy")
    p.add_argument("--temperature-milli", type=int, default=1000)
    p.add_argument("--top-p-milli", type=int, default=1000)
    p.add_argument("--seed", default="0x0", help="hex, up to 32 bytes")
    p.add_argument("--first-item", type=int, default=0, help="global index of line 0 (derives the sampling seeds)")


def build_parser():
    parser = argparse.ArgumentParser(prog="infer.py", description="Rigel's GPT-2 runtime (PROTOCOL §19)")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="generate every item, write OUT/<i>/output.json")
    _common(g, "float32")
    g.add_argument("--out", required=True)
    g.add_argument("--batch-size", type=int, default=8)
    g.add_argument("--layers", type=int, default=None, help="dev knob (cheat): run only the first N blocks")
    g.add_argument("--quantize", choices=["int8", "int4"], default=None, help="dev knob (cheat): fake-quantized weights")
    g.add_argument("--sum-order", choices=["natural", "reversed"], default="natural", help="numpy: honest variant")
    v = sub.add_parser("verify", help="re-compute items and check a result directory")
    _common(v, "float64")
    v.add_argument("--result", required=True)
    v.add_argument("--items", default=None, help="local indices i,j,… (default all)")
    v.add_argument("--tolerance", choices=["standard", "float32"], default="standard",
                   help="standard: admits bfloat16 hardware (and int8 weights, PROTOCOL §19.5); float32: admits float32/float16 only")  # fmt: skip
    m = sub.add_parser("make-model", help="write a deterministic small GPT-2 for tests")
    m.add_argument("--out", required=True)
    m.add_argument("--layers", type=int, default=2)
    m.add_argument("--embd", type=int, default=64)
    m.add_argument("--heads", type=int, default=4)
    m.add_argument("--vocab", type=int, default=384)
    m.add_argument("--positions", type=int, default=128)
    m.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("calibrate", help="measure honest variants and cheats (npm run bench:inference)")
    c.add_argument("--items", type=int, default=1000)
    c.add_argument("--max-new-tokens", type=int, default=8)
    c.add_argument("--work", default=None, help="scratch directory (default a temporary one)")
    c.add_argument("--json", default=None, help="also write the measurements to this file")
    c.add_argument("--cheat-items", type=int, default=200, help="items per cheat")
    c.add_argument("--parts", default="greedy,sampled,cheats", help="which measurements to run (also: float32)")
    c.add_argument("--sampled-items", type=int, default=1000, help="items per sampled honest variant")
    c.add_argument("--float32-items", type=int, default=300, help="items per variant of the float32 tolerance")
    c.add_argument("--sample-size", type=int, default=8, help="items the oracle samples per shard")
    return parser


def cmd_generate(args):
    try:
        prompts = read_prompts(args.prompts)
        runtime = Runtime(args.model, _backend(args, "float32"), layers=args.layers, quantize=args.quantize)
        decoding = _decoding(args)
    except (InputError, ModelError, SafetensorsError, BackendError, ValueError) as e:
        print(f"infer generate: {e}", file=sys.stderr)
        return 2
    started, tokens = time.time(), 0
    for lo in range(0, len(prompts), max(1, args.batch_size)):
        batch = prompts[lo : lo + args.batch_size]
        outs = runtime.generate(batch, args.max_new_tokens, decoding, [args.first_item + lo + k for k in range(len(batch))])
        for k, out in enumerate(outs):
            write_output(args.out, lo + k, out)
            tokens += len(out["promptTokens"]) + len(out["generatedTokens"])
        print(f"generated {lo + len(batch)}/{len(prompts)}", file=sys.stderr)
    print(json.dumps({"items": len(prompts), "tokens": tokens, "seconds": round(time.time() - started, 3)}))
    return 0


def write_output(out_dir, index, output):
    path = os.path.join(out_dir, str(index))
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "output.json"), "w", encoding="utf-8") as f:
        json.dump(output, f, separators=(",", ":"))


def read_output(result_dir, index):
    """The claimed output of item `index`, or None when missing or not JSON (the operator's fault)."""
    try:
        with open(os.path.join(result_dir, str(index), "output.json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None


def cmd_verify(args):
    try:
        prompts = read_prompts(args.prompts)
        indices = list(range(len(prompts))) if args.items is None else [int(i) for i in args.items.split(",") if i.strip()]
        if any(not 0 <= i < len(prompts) for i in indices):
            raise InputError(f"--items names an item outside 0..{len(prompts) - 1}")
        runtime = Runtime(args.model, _backend(args, "float64"))
        decoding = _decoding(args)
        items = []
        for i in indices:
            output = read_output(args.result, i)
            if output is None:
                items.append({"index": i, "valid": False, "reason": "output.json missing or not JSON"})
                continue
            verdict = runtime.verify(prompts[i], output, args.max_new_tokens, decoding, args.first_item + i, TOLERANCES[args.tolerance])
            items.append({"index": i, **verdict})
    except Exception as e:  # noqa: BLE001 -- any failure of ours is "could not verify", never evidence
        print(json.dumps({"valid": False, "reason": f"could not verify: {type(e).__name__}: {e}", "couldNotVerify": True, "items": []}))
        return EXIT_COULD_NOT_VERIFY
    bad = next((it for it in items if not it["valid"]), None)
    reason = None if bad is None else f"item {bad['index']}: {bad['reason']}"
    print(json.dumps({"valid": bad is None, "reason": reason, "thresholds": TOLERANCES[args.tolerance], "items": items}))
    return EXIT_VALID if bad is None else EXIT_INVALID


def cmd_make_model(args):
    from .make_model import make_model

    config = make_model(args.out, args.layers, args.embd, args.heads, args.vocab, args.positions, args.seed)
    print(json.dumps({"out": args.out, **{k: config[k] for k in ("n_layer", "n_embd", "n_head", "vocab_size", "n_positions")}}))
    return 0


def cmd_calibrate(args):
    from .calibrate import calibrate

    return calibrate(args)


def main(argv=None):
    args = build_parser().parse_args(argv)
    handler = {"generate": cmd_generate, "verify": cmd_verify, "make-model": cmd_make_model, "calibrate": cmd_calibrate}
    return handler[args.command](args)
