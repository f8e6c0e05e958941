#!/usr/bin/env python3
"""Rigel's language-model runtime: `python3 sdk/python/infer.py generate|verify|make-model|calibrate`.

See docs/PROTOCOL.md §19. numpy is the only dependency; torch is used when importable. When
`--backend torch` is asked of a python without torch, the command re-runs itself under the python
named by RIGEL_TORCH_PYTHON, else /usr/bin/python3 when that one imports torch.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _torch_python():
    """A python that imports torch, other than this one, or None."""
    for candidate in (os.environ.get("RIGEL_TORCH_PYTHON"), "/usr/bin/python3"):
        if candidate and os.path.exists(candidate) and os.path.realpath(candidate) != os.path.realpath(sys.executable):
            probe = subprocess.run([candidate, "-c", "import torch, numpy"], capture_output=True)
            if probe.returncode == 0:
                return candidate
    return None


if __name__ == "__main__":
    if "torch" in sys.argv[sys.argv.index("--backend") + 1 : sys.argv.index("--backend") + 2] if "--backend" in sys.argv else False:
        from rigel_llm.backends import torch_available

        if not torch_available():
            other = _torch_python()
            if other:
                sys.exit(subprocess.run([other, os.path.abspath(__file__), *sys.argv[1:]]).returncode)
    from rigel_llm.cli import main

    sys.exit(main())
