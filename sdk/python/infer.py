#!/usr/bin/env python3
"""Rigel's language-model runtime: `python3 sdk/python/infer.py generate|verify|make-model|calibrate`.

See docs/PROTOCOL.md §19. numpy is the only dependency; torch is used when importable. When
`--backend torch` is asked of a python without torch, the command re-runs itself under the python
named by RIGEL_TORCH_PYTHON, else /usr/bin/python3 when that one imports torch; so does a float16 /
bfloat16 / cuda request without `--backend numpy`.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _option(argv, name):
    at = argv.index(name) if name in argv else -1
    return argv[at + 1] if 0 <= at < len(argv) - 1 else None


def _wants_torch(argv):
    """`--backend torch`, or (backend not numpy) a half dtype or cuda: only torch runs those."""
    backend = _option(argv, "--backend")
    if backend == "torch":
        return True
    return backend != "numpy" and (_option(argv, "--dtype") in ("float16", "bfloat16") or _option(argv, "--device") == "cuda")


if __name__ == "__main__":
    if sys.argv[1:2] == ["calibrate"]:
        # Measured single-threaded: steadier on a shared machine, and the costs compare like for like.
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
    if _wants_torch(sys.argv):
        from rigel_llm.backends import torch_available, torch_python

        other = None if torch_available() else torch_python()
        if other:
            sys.exit(subprocess.run([other, os.path.abspath(__file__), *sys.argv[1:]]).returncode)
    from rigel_llm.cli import main

    sys.exit(main())
