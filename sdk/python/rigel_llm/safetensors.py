"""Read and write the safetensors format without the safetensors package.

A file is an 8-byte little-endian header length N, then N bytes of JSON
(`{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__"?: {...}}`), then the raw
little-endian tensor bytes, offsets relative to the end of the header. F32, F16, BF16 and F64 are
read; BF16 is widened to float32 (numpy has no bfloat16).
"""

import json
import struct

import numpy as np

_DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "F64": np.dtype("<f8")}
_NAMES = {np.dtype("float32"): "F32", np.dtype("float16"): "F16", np.dtype("float64"): "F64"}


class SafetensorsError(ValueError):
    """The file is not a readable safetensors file (bad header, unknown dtype, short data)."""


def load_safetensors(path):
    """Every tensor of the file at `path`, as {name: numpy array} (BF16 read as float32)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise SafetensorsError(f"{path}: {len(blob)} bytes, shorter than the header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise SafetensorsError(f"{path}: header length {n} runs past the end ({len(blob)} bytes)")
    try:
        header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"{path}: header is not JSON ({e})") from e
    data = memoryview(blob)[8 + n :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        tensors[name] = _read_tensor(path, name, info, data)
    return tensors


def _read_tensor(path, name, info, data):
    dtype, shape = info.get("dtype"), [int(s) for s in info.get("shape", [])]
    begin, end = (int(o) for o in info.get("data_offsets", [0, -1]))
    count = int(np.prod(shape)) if shape else 1
    width = 2 if dtype == "BF16" else (_DTYPES[dtype].itemsize if dtype in _DTYPES else 0)
    if width == 0:
        raise SafetensorsError(f"{path}: tensor {name} has dtype {dtype}, not F32/F16/BF16/F64")
    if not 0 <= begin <= end <= len(data) or end - begin != count * width:
        raise SafetensorsError(f"{path}: tensor {name} offsets {begin}..{end} do not fit {shape} {dtype}")
    raw = data[begin:end]
    if dtype == "BF16":
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    return np.frombuffer(raw, dtype=_DTYPES[dtype]).reshape(shape).astype(_DTYPES[dtype].newbyteorder("="))


def save_safetensors(path, tensors, metadata=None):
    """Write {name: numpy array} (float32/float16/float64) to `path`, names sorted, 8-byte aligned."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name])
        if arr.dtype not in _NAMES:
            raise SafetensorsError(f"tensor {name}: dtype {arr.dtype} cannot be written")
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _NAMES[arr.dtype], "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)
