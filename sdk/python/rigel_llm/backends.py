"""The array backends the GPT-2 forward runs on: numpy (the reference) and torch (when importable).

Each backend exposes the same few operations (linear, layer norm, gelu-new, masked attention,
head reshapes, concatenation, embedding lookup), so `model.py` holds one forward for both.
"""

import math
import os
import subprocess
import sys

import numpy as np

NUMPY_DTYPES = ("float32", "float64")
TORCH_DTYPES = ("float32", "float16", "bfloat16")
GELU_C = math.sqrt(2.0 / math.pi)


class BackendError(RuntimeError):
    """The requested backend, dtype or device is not available here."""


def make_backend(name, dtype, device="cpu", sum_order="natural"):
    """A backend by name: "numpy" (float32|float64, cpu) or "torch" (float32|float16|bfloat16)."""
    if name == "numpy":
        if device != "cpu":
            raise BackendError(f"the numpy backend runs on the cpu, not {device}")
        return NumpyBackend(dtype, sum_order)
    if name == "torch":
        return TorchBackend(dtype, device)
    raise BackendError(f"unknown backend {name}")


def torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_python():
    """A python interpreter that imports torch: this one, else RIGEL_TORCH_PYTHON, else
    /usr/bin/python3 when it does; None when there is none."""
    if torch_available():
        return sys.executable
    for candidate in (os.environ.get("RIGEL_TORCH_PYTHON"), "/usr/bin/python3"):
        if candidate and os.path.exists(candidate) and os.path.realpath(candidate) != os.path.realpath(sys.executable):
            if subprocess.run([candidate, "-c", "import torch, numpy"], capture_output=True).returncode == 0:
                return candidate
    return None


class NumpyBackend:
    """numpy on the cpu. `sum_order="reversed"` computes every matrix product as four partial
    products over blocks of the inner dimension, summed last block first: an honest variant whose
    rounding differs from the natural order."""

    name = "numpy"
    device = "cpu"

    def __init__(self, dtype, sum_order="natural"):
        if dtype not in NUMPY_DTYPES:
            raise BackendError(f"the numpy backend computes in {'/'.join(NUMPY_DTYPES)}, not {dtype}")
        self.dtype = dtype
        self.np_dtype = np.dtype(dtype)
        self.sum_order = sum_order

    def tensor(self, arr):
        return np.ascontiguousarray(arr, dtype=self.np_dtype)

    def linear(self, x, w, b):
        if self.sum_order == "reversed":
            k = w.shape[0]
            edges = [k * i // 4 for i in range(5)]
            y = None
            for lo, hi in reversed(list(zip(edges, edges[1:]))):
                part = x[..., lo:hi] @ w[lo:hi]
                y = part if y is None else y + part
            return y + b
        return x @ w + b

    def layer_norm(self, x, g, b, eps):
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.np_dtype.type(eps)) * g + b

    def gelu(self, x):
        c = self.np_dtype.type(GELU_C)
        return self.np_dtype.type(0.5) * x * (1 + np.tanh(c * (x + self.np_dtype.type(0.044715) * x * x * x)))

    def split_heads(self, x, heads):
        bsz, t, d = x.shape
        return x.reshape(bsz, t, heads, d // heads).transpose(0, 2, 1, 3)

    def merge_heads(self, x):
        bsz, h, t, hd = x.shape
        return x.transpose(0, 2, 1, 3).reshape(bsz, t, h * hd)

    def concat(self, a, b, axis):
        return np.concatenate([a, b], axis=axis)

    def attention(self, q, k, v, allowed):
        scores = q @ k.transpose(0, 1, 3, 2) / self.np_dtype.type(math.sqrt(q.shape[-1]))
        scores = np.where(allowed[:, None, :, :], scores, np.finfo(self.np_dtype).min)
        scores = scores - scores.max(axis=-1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=-1, keepdims=True)
        return p @ v

    def embed(self, table, ids):
        return table[ids]

    def to_numpy(self, x):
        return np.asarray(x, dtype=np.float32)

    def logits(self, h, wte):
        return np.asarray(h @ wte.T, dtype=np.float64)


class TorchBackend:
    """torch, on the cpu or cuda. float16 on the cpu (torch 1.13 has no cpu half matmul) is
    emulated: tensors are held in float16 and every operation computes in float32 and rounds its
    result to float16."""

    name = "torch"

    def __init__(self, dtype, device):
        try:
            import torch
        except ImportError as e:
            raise BackendError("torch is not importable in this python") from e
        if dtype not in TORCH_DTYPES:
            raise BackendError(f"the torch backend computes in {'/'.join(TORCH_DTYPES)}, not {dtype}")
        if device == "cuda" and not torch.cuda.is_available():
            raise BackendError("cuda requested but torch sees no GPU")
        if device not in ("cpu", "cuda"):
            raise BackendError(f"unknown device {device}")
        self.torch = torch
        self.dtype = dtype
        self.device = device
        self.t_dtype = getattr(torch, dtype)
        self.emulate = dtype == "float16" and device == "cpu"
        self.work = torch.float32 if self.emulate else self.t_dtype
        torch.set_grad_enabled(False)

    def _up(self, *xs):
        return [x.to(self.work) for x in xs] if self.emulate else list(xs)

    def _down(self, y):
        return y.to(self.t_dtype) if self.emulate else y

    def tensor(self, arr):
        return self.torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32)).to(self.device).to(self.t_dtype)

    def linear(self, x, w, b):
        x, w, b = self._up(x, w, b)
        return self._down(x @ w + b)

    def layer_norm(self, x, g, b, eps):
        x, g, b = self._up(x, g, b)
        return self._down(self.torch.nn.functional.layer_norm(x, (x.shape[-1],), g, b, eps))

    def gelu(self, x):
        (x,) = self._up(x)
        return self._down(0.5 * x * (1 + self.torch.tanh(GELU_C * (x + 0.044715 * x * x * x))))

    def split_heads(self, x, heads):
        bsz, t, d = x.shape
        return x.reshape(bsz, t, heads, d // heads).permute(0, 2, 1, 3)

    def merge_heads(self, x):
        bsz, h, t, hd = x.shape
        return x.permute(0, 2, 1, 3).reshape(bsz, t, h * hd)

    def concat(self, a, b, axis):
        return self.torch.cat([a, b], dim=axis)

    def attention(self, q, k, v, allowed):
        torch = self.torch
        q, k, v = self._up(q, k, v)
        mask = torch.from_numpy(np.ascontiguousarray(allowed)).to(self.device)[:, None, :, :]
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
        return self._down(torch.softmax(scores, dim=-1) @ v)

    def embed(self, table, ids):
        return table[self.torch.from_numpy(np.ascontiguousarray(ids, dtype=np.int64)).to(self.device)]

    def to_numpy(self, x):
        return x.to(self.torch.float32).cpu().numpy()

    def logits(self, h, wte):
        h, wte = self._up(h, wte)
        return self._down(h @ wte.T).to(self.torch.float64).cpu().numpy()
