"""Golden safetensors file for tests/io: written by Python's safetensors package.

generate() writes tests/golden/data/golden.safetensors with save_file() and returns
{"cases": [{"name": "safetensors/golden", "attrs": {"metadata": {...}, "order": [names in header order]},
"tensors": {...expected values...}}]} in the format of tests/support/golden.h. Every dtype
Fluxion supports appears, plus a 0-d and an empty tensor.

Check mode (the other direction): `python gen_safetensors.py --check FILE` loads a file written
by Fluxion (tests/io/safetensors_test.cpp writes one when FLUXION_SAFETENSORS_OUT=FILE is set)
and compares it with the same tensors and metadata; exit status 0 when everything matches.
"""
import json
import math
import os
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

DTYPES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int8: "int8", torch.uint8: "uint8", torch.int32: "int32", torch.int64: "int64", torch.bool: "bool",
}
METADATA = {"format": "pt", "source": "gen_safetensors.py", "unicode": "\u00e9t\u00e9 \u2713"}


def encode(t):
    t = t.detach().contiguous()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        data.append(v)
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def expected_tensors():
    """Deterministic tensors of every dtype (the C++ test builds the same ones)."""
    return {
        "weight.f32": torch.tensor([[1.5, -2.25, 3.0], [0.1, 1e-30, -7.0]], dtype=torch.float32),
        "x.f64": torch.tensor([math.pi, -1e300, float("inf"), float("nan")], dtype=torch.float64),
        "h.f16": torch.tensor([0.5, -65504.0, 6.1035156e-05], dtype=torch.float16),
        "b.bf16": torch.tensor([[1.0, -3.140625], [1e38, 0.0078125]], dtype=torch.bfloat16),
        "i8": torch.tensor([-128, -1, 0, 127, 5], dtype=torch.int8),
        "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "i32": torch.tensor([[-2147483648, 2147483647], [0, -7]], dtype=torch.int32),
        "i64": torch.tensor([-(2 ** 62), 2 ** 40 + 3, -1], dtype=torch.int64),
        "mask": torch.tensor([True, False, False, True], dtype=torch.bool),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }


def golden_path():
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "golden.safetensors")


def generate():
    tensors = expected_tensors()
    save_file(tensors, golden_path(), metadata=METADATA)
    # Header order (safe_open().keys() sorts names; the file lists them in data order).
    with open(golden_path(), "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        order = [k for k in json.loads(f.read(n)) if k != "__metadata__"]
    return {"cases": [{"name": "safetensors/golden", "attrs": {"metadata": METADATA, "order": order},
                       "tensors": {k: encode(v) for k, v in tensors.items()}}]}


def check(path):
    got = load_file(path)
    want = expected_tensors()
    ok = True
    if set(got) != set(want):
        print("keys differ:", sorted(got), sorted(want))
        ok = False
    for k, w in want.items():
        g = got.get(k)
        if g is None:
            continue
        same = g.dtype == w.dtype and g.shape == w.shape and (
            torch.equal(g, w) or (g.is_floating_point() and torch.allclose(g, w, equal_nan=True, rtol=0, atol=0)))
        print(f"{k:12s} {str(g.dtype):16s} {str(tuple(g.shape)):10s} {'ok' if same else 'MISMATCH'}")
        ok = ok and same
    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
    if meta != METADATA:
        print("metadata differs:", meta)
        ok = False
    else:
        print("metadata ok:", meta)
    print("PASS" if ok else "FAIL")
    return ok


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(0 if check(sys.argv[2]) else 1)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "safetensors.json")
    with open(out, "w") as f:
        json.dump(generate(), f)
    print("wrote", out, "and", golden_path())
