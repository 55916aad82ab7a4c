"""Golden cases for tests/ops/pointwise_golden_test.cpp: elementwise ops against PyTorch.

generate() -> {"cases": [...]} in the format documented in tests/support/golden.h.
Each case: attrs["op"] names the Fluxion function, attrs["kind"] says how the C++ test calls it:
  "unary"    out = op(x, **params)                         (tensors: x, out)
  "binary"   out = op(a, b)                                 (tensors: a, b, out)
  "scalar"   out = op(a, attrs["scalar"]) or op(scalar, b) when attrs["left"] (tensors: a|b, out)
  "ternary"  out = op(a, b, c, **params)                    (tensors: a, b, c, out)
  "grad"     out = op(x, **params); gx = d(sum(out * w))/dx (tensors: x, w, out, gx [, y, gy])
attrs["params"] holds keyword arguments; attrs["transpose"] lists inputs the test passes as
stored.t() (stored = x.t().contiguous()), to cover non-contiguous inputs. Scalars carry their
kind in attrs["scalar_kind"] ("int", "float" or "bool"), so the C++ Scalar has the same kind.
"""
import math

import torch
import torch.nn.functional as F

DTYPES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int8: "int8", torch.uint8: "uint8", torch.int32: "int32", torch.int64: "int64", torch.bool: "bool",
}
_gen = torch.Generator().manual_seed(4321)

SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -3.25, 1e-3, -7.5, 20.0, -20.0, 0.999,
           float("nan"), float("inf"), float("-inf")]


def encode(t):
    t = t.detach().contiguous()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        data.append(v)
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def randn(shape, dtype=torch.float32, scale=2.0):
    return (torch.randn(shape, generator=_gen, dtype=torch.float64) * scale).to(dtype)


def randint(shape, dtype, lo=-9, hi=10):
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=_gen).bool()
    if dtype == torch.uint8:
        lo = 0
    return torch.randint(lo, hi, shape, generator=_gen).to(dtype)


def special(dtype):
    return torch.tensor(SPECIAL, dtype=torch.float64).to(dtype)


def case(name, op, kind, tensors, **attrs):
    # Fluxion has no int16: uint8 with int8 promotes to int32 there (see src/core/dtype.cpp).
    tensors = {k: (v.to(torch.int32) if v.dtype == torch.int16 else v) for k, v in tensors.items()}
    attrs.update(op=op, kind=kind)
    return {"name": name, "attrs": attrs, "tensors": {k: encode(v) for k, v in tensors.items()}}


UNARY = {
    "neg": torch.neg, "abs": torch.abs, "sign": torch.sign, "exp": torch.exp, "exp2": torch.exp2, "log": torch.log,
    "log2": torch.log2, "log10": torch.log10, "log1p": torch.log1p, "expm1": torch.expm1, "sqrt": torch.sqrt,
    "rsqrt": torch.rsqrt, "reciprocal": torch.reciprocal, "square": torch.square, "sin": torch.sin,
    "cos": torch.cos, "tan": torch.tan, "asin": torch.asin, "acos": torch.acos, "atan": torch.atan,
    "sinh": torch.sinh, "cosh": torch.cosh, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
    "silu": F.silu, "erf": torch.erf, "erfc": torch.erfc, "floor": torch.floor, "ceil": torch.ceil,
    "trunc": torch.trunc, "frac": torch.frac, "round": torch.round,
}
ACTIVATIONS = [
    ("leaky_relu", {"negative_slope": 0.2}, lambda x, p: F.leaky_relu(x, p["negative_slope"])),
    ("elu", {"alpha": 1.5, "scale": 1.0, "input_scale": 1.0}, lambda x, p: F.elu(x, p["alpha"])),
    ("selu", {}, lambda x, p: F.selu(x)),
    ("celu", {"alpha": 0.7}, lambda x, p: F.celu(x, p["alpha"])),
    ("gelu", {"approximate": "none"}, lambda x, p: F.gelu(x)),
    ("gelu", {"approximate": "tanh"}, lambda x, p: F.gelu(x, approximate="tanh")),
    ("softplus", {"beta": 2.0, "threshold": 10.0}, lambda x, p: F.softplus(x, 2.0, 10.0)),
    ("softplus", {"beta": 1.0, "threshold": 20.0}, lambda x, p: F.softplus(x)),
    ("mish", {}, lambda x, p: F.mish(x)),
    ("hardtanh", {"min_val": -2.0, "max_val": 1.5}, lambda x, p: F.hardtanh(x, -2.0, 1.5)),
    ("hardsigmoid", {}, lambda x, p: F.hardsigmoid(x)),
    ("hardswish", {}, lambda x, p: F.hardswish(x)),
    ("softsign", {}, lambda x, p: F.softsign(x)),
    ("tanhshrink", {}, lambda x, p: F.tanhshrink(x)),
    ("logsigmoid", {}, lambda x, p: F.logsigmoid(x)),
    ("relu6", {}, lambda x, p: F.relu6(x)),
    ("logit", {}, lambda x, p: torch.logit(x)),
    ("logit", {"eps": 0.01}, lambda x, p: torch.logit(x, eps=0.01)),
    ("round", {"decimals": 2}, lambda x, p: torch.round(x, decimals=2)),
    ("round", {"decimals": -1}, lambda x, p: torch.round(x, decimals=-1)),
    ("nan_to_num", {}, lambda x, p: torch.nan_to_num(x)),
    ("nan_to_num", {"nan": 1.5, "posinf": 9.0, "neginf": -9.0}, lambda x, p: torch.nan_to_num(x, 1.5, 9.0, -9.0)),
    ("clamp", {"min": -1.0, "max": 2.0}, lambda x, p: torch.clamp(x, -1.0, 2.0)),
    ("clamp", {"min": 0.5}, lambda x, p: torch.clamp(x, min=0.5)),
    ("pow", {"exponent": 2.0}, lambda x, p: torch.pow(x, 2.0)),
    ("pow", {"exponent": 0.5}, lambda x, p: torch.pow(x, 0.5)),
    ("pow", {"exponent": -1.5}, lambda x, p: torch.pow(x, -1.5)),
]


def unary_cases():
    cases = []
    for name, fn in UNARY.items():
        for dt in (torch.float32, torch.float64):
            x = torch.cat([special(dt), randn([8], dt)])
            cases.append(case(f"unary/{name}/{DTYPES[dt]}", name, "unary", {"x": x, "out": fn(x)}))
        for dt in (torch.float16, torch.bfloat16):
            x = randn([8], dt)
            cases.append(case(f"unary/{name}/{DTYPES[dt]}", name, "unary", {"x": x, "out": fn(x)}))
        # Integer/bool inputs: float functions compute in the default dtype, others keep the dtype.
        xi = randint([8], torch.int64)
        try:
            cases.append(case(f"unary/{name}/int64", name, "unary", {"x": xi, "out": fn(xi)}))
        except Exception:  # noqa: BLE001 -- PyTorch rejects it; the C++ tests check the error
            pass
    # 2-d transposed input
    x = randn([5, 3])
    for name in ("exp", "tanh", "abs"):
        cases.append(case(f"unary/{name}/transposed", name, "unary", {"x": x.t().contiguous(), "out": UNARY[name](x)},
                          transpose=["x"]))
    for name, params, fn in ACTIVATIONS:
        for dt in (torch.float32, torch.float64, torch.bfloat16):
            if name == "logit":
                x = torch.cat([torch.tensor([0.0, 1.0, 0.005, 0.995, -0.5, 1.5, float("nan")]),
                               torch.rand(8, generator=_gen)]).to(dt)
            elif dt == torch.bfloat16:
                x = randn([8], dt, 4.0)
            else:
                x = torch.cat([special(dt), randn([6], dt, 4.0)])
            if name == "gelu" and dt == torch.float32:
                x = x[~torch.isinf(x)]  # PyTorch's vectorised float gelu returns NaN at +-inf (quirk)
            tag = "_".join(f"{k}{v}" for k, v in params.items())
            cases.append(case(f"act/{name}/{tag}/{DTYPES[dt]}", name, "unary", {"x": x, "out": fn(x, params)},
                              params=params))
    xi = torch.tensor([-5, -1, 0, 1, 3, 8])
    cases.append(case("act/hardtanh/int", "hardtanh", "unary", {"x": xi, "out": F.hardtanh(xi)},
                      params={"min_val": -1.0, "max_val": 1.0}))
    cases.append(case("act/relu6/int", "relu6", "unary", {"x": xi, "out": F.relu6(xi)}, params={}))
    cases.append(case("act/clamp/int", "clamp", "unary", {"x": xi, "out": torch.clamp(xi, -2, 4)},
                      params={"min": -2, "max": 4}))
    cases.append(case("act/clamp/int_float_bound", "clamp", "unary", {"x": xi, "out": torch.clamp(xi, min=0.5)},
                      params={"min": 0.5}))
    cases.append(case("act/pow/int", "pow", "unary", {"x": xi, "out": torch.pow(xi, 3)}, params={"exponent": 3}))
    return cases


BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
    "div_trunc": lambda a, b: torch.div(a, b, rounding_mode="trunc"),
    "div_floor": lambda a, b: torch.div(a, b, rounding_mode="floor"),
    "fmod": torch.fmod, "remainder": torch.remainder, "maximum": torch.maximum, "minimum": torch.minimum,
    "atan2": torch.atan2, "pow": torch.pow,
    "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
    "logical_and": torch.logical_and, "logical_or": torch.logical_or, "logical_xor": torch.logical_xor,
    "bitwise_and": torch.bitwise_and, "bitwise_or": torch.bitwise_or, "bitwise_xor": torch.bitwise_xor,
}
INT_OK = {"add", "sub", "mul", "div", "div_trunc", "div_floor", "fmod", "remainder", "maximum", "minimum", "pow", "eq",
          "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
          "bitwise_xor", "atan2"}


def binary_cases():
    cases = []
    for name, fn in BINARY.items():
        bit = name.startswith("bitwise")
        if not bit:
            # Float with NaN/Inf and signed zeros, broadcasting (4, 1) x (3,).
            a = torch.cat([special(torch.float32), randn([8])]).reshape(6, 4)
            b = torch.cat([special(torch.float32).flip(0), randn([8])]).reshape(6, 4)
            cases.append(case(f"binary/{name}/f32", name, "binary", {"a": a, "b": b, "out": fn(a, b)}))
            a, b = randn([4, 1], torch.float64), randn([3], torch.float64)
            cases.append(case(f"binary/{name}/f64_broadcast", name, "binary", {"a": a, "b": b, "out": fn(a, b)}))
            if name in ("add", "mul", "div_floor", "maximum", "eq", "remainder"):
                a, b = randn([3, 4]), randn([4, 3])
                cases.append(case(f"binary/{name}/transposed", name, "binary",
                                  {"a": a, "b": b, "out": fn(a, b.t())}, transpose=["b"]))
                for da, db in ((torch.float32, torch.float64), (torch.float16, torch.float32),
                               (torch.bfloat16, torch.bfloat16), (torch.float16, torch.float16)):
                    a, b = randn([5], da), randn([5], db)
                    cases.append(case(f"binary/{name}/{DTYPES[da]}_{DTYPES[db]}", name, "binary",
                                      {"a": a, "b": b, "out": fn(a, b)}))
        if name in INT_OK:
            nz = name in ("div_trunc", "div_floor", "fmod", "remainder")
            for da, db in ((torch.int64, torch.int64), (torch.int32, torch.int64), (torch.uint8, torch.int8),
                           (torch.bool, torch.int32), (torch.int32, torch.float32)):
                if bit and torch.float32 in (da, db):
                    continue
                if name in ("pow", "mul") and (da, db) == (torch.uint8, torch.int8):
                    continue  # PyTorch wraps in int16 here, Fluxion (no int16) in int32
                a = randint([7], da, -50, 50)
                b = randint([7], db, 1, 6) if nz or name == "pow" else randint([7], db)
                if nz and db != torch.bool and db != torch.uint8:
                    b = b * torch.tensor([1, -1, 1, -1, 1, -1, 1], dtype=db)
                try:
                    out = fn(a, b)
                except Exception:  # noqa: BLE001
                    continue
                cases.append(case(f"binary/{name}/{DTYPES[da]}_{DTYPES[db]}", name, "binary",
                                  {"a": a, "b": b, "out": out}))
            a, b = randint([2, 3], torch.bool), randint([3], torch.bool)
            try:
                cases.append(case(f"binary/{name}/bool", name, "binary", {"a": a, "b": b, "out": fn(a, b)}))
            except Exception:  # noqa: BLE001
                pass
    # Integer pow with negative exponents, int8 wrap-around, promotion with 0-d tensors.
    a, b = torch.tensor([2, -1, 1, 0, 3, -2]), torch.tensor([-1, -3, -2, 2, 3, 5])
    cases.append(case("binary/pow/int_negexp", "pow", "binary", {"a": a, "b": b, "out": torch.pow(a, b)}))
    a, b = torch.tensor([100, -100, 127], dtype=torch.int8), torch.tensor([100, -100, 1], dtype=torch.int8)
    for name in ("add", "mul", "sub"):
        cases.append(case(f"binary/{name}/int8_wrap", name, "binary", {"a": a, "b": b, "out": BINARY[name](a, b)}))
    for da, db in ((torch.int32, torch.float64), (torch.float16, torch.float64), (torch.int32, torch.int64),
                   (torch.bool, torch.int32), (torch.uint8, torch.int8)):
        a, b = randint([4], da, 1, 9), torch.tensor(3, dtype=db)
        for name in ("add", "mul", "div", "maximum"):
            cases.append(case(f"binary/{name}/0d_{DTYPES[da]}_{DTYPES[db]}", name, "binary",
                              {"a": a, "b": b, "out": BINARY[name](a, b)}))
    return cases


def scalar_cases():
    cases = []
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
           "fmod": torch.fmod, "remainder": torch.remainder, "eq": torch.eq, "lt": torch.lt, "ge": torch.ge}
    scalars = [("int", 3), ("float", 2.5), ("bool", True)]
    for dt in (torch.float32, torch.float16, torch.int64, torch.int32, torch.bool):
        a = randn([6], dt) if dt.is_floating_point else randint([6], dt, 1, 9)
        for name, fn in ops.items():
            for kind, s in scalars:
                try:
                    out = fn(a, s)
                except Exception:  # noqa: BLE001
                    continue
                cases.append(case(f"scalar/{name}/{DTYPES[dt]}/{kind}{s}", name, "scalar", {"a": a, "out": out},
                                  scalar=s, scalar_kind=kind))
    for dt in (torch.float32, torch.int64):
        b = randn([5], dt) if dt.is_floating_point else randint([5], dt, 1, 9)
        for name, fn in (("sub", lambda s, b: s - b), ("div", lambda s, b: s / b), ("pow", torch.pow),
                         ("lt", lambda s, b: s < b), ("ge", lambda s, b: s >= b)):
            for kind, s in (("int", 2), ("float", 1.5)):
                cases.append(case(f"scalar/{name}/left/{DTYPES[dt]}/{kind}{s}", name, "scalar",
                                  {"b": b, "out": fn(s, b)}, scalar=s, scalar_kind=kind, left=True))
    return cases


def ternary_cases():
    cases = []
    a, b, c = randn([3, 1]), randn([4]), randn([3, 4])
    cond = randint([3, 4], torch.bool)
    cases.append(case("ternary/where/f32", "where", "ternary", {"a": cond, "b": a, "c": b, "out": torch.where(cond, a, b)}))
    ai, bf = randint([4], torch.int64), randn([3, 1], torch.float64)
    cases.append(case("ternary/where/promote", "where", "ternary",
                      {"a": cond, "b": ai, "c": bf, "out": torch.where(cond, ai, bf)}))
    for v in (1, 0.5, -2.0):
        cases.append(case(f"ternary/addcmul/{v}", "addcmul", "ternary",
                          {"a": c, "b": a, "c": b, "out": torch.addcmul(c, a, b, value=v)}, params={"value": v}))
        cases.append(case(f"ternary/addcdiv/{v}", "addcdiv", "ternary",
                          {"a": c, "b": a, "c": b, "out": torch.addcdiv(c, a, b, value=v)}, params={"value": v}))
    w = torch.rand([3, 4], generator=_gen) * 1.4 - 0.2
    cases.append(case("ternary/lerp/tensor", "lerp", "ternary",
                      {"a": a.expand(3, 4).contiguous(), "b": c, "c": w, "out": torch.lerp(a.expand(3, 4), c, w)}))
    lo, hi = torch.tensor([-1.0, float("nan"), 0.5, 2.0]), torch.tensor([[1.0], [0.0], [3.0]])
    x = torch.cat([special(torch.float32)[:8], randn([4])]).reshape(3, 4)
    cases.append(case("ternary/clamp/tensor", "clamp", "ternary",
                      {"a": x, "b": lo, "c": hi, "out": torch.clamp(x, lo, hi)}))
    cases.append(case("ternary/clamp/tensor_min_only", "clamp_min", "binary",
                      {"a": x, "b": lo, "out": torch.clamp(x, min=lo)}))
    mask = randint([3, 4], torch.bool)
    cases.append(case("ternary/masked_fill/scalar", "masked_fill", "ternary",
                      {"a": x, "b": mask, "out": x.masked_fill(mask, -7.5)}, params={"value": -7.5}))
    xi = randint([3, 4], torch.int64)
    cases.append(case("ternary/masked_fill/int_float_value", "masked_fill", "ternary",
                      {"a": xi, "b": mask, "out": xi.masked_fill(mask, 2.5)}, params={"value": 2.5}))
    a2, b2 = randn([10]), randn([10])
    b2[:5] = a2[:5] * (1 + torch.tensor([1e-7, 1e-4, 0.0, -1e-6, 1e-5]))
    a2[7], b2[7] = float("nan"), float("nan")
    a2[8], b2[8] = float("inf"), float("inf")
    for eq_nan in (False, True):
        cases.append(case(f"ternary/isclose/{eq_nan}", "isclose", "binary",
                          {"a": a2, "b": b2, "out": torch.isclose(a2, b2, rtol=1e-5, atol=1e-8, equal_nan=eq_nan)},
                          params={"equal_nan": eq_nan}))
    return cases


def grad_cases():
    """First derivatives at points where the subgradient convention matters (0, bounds, ties)."""
    cases = []
    x = torch.tensor([-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 6.0, 7.0], dtype=torch.float64)
    w = torch.linspace(0.5, 2.0, len(x), dtype=torch.float64)
    fns = {
        "abs": (torch.abs, {}), "relu": (torch.relu, {}), "sign": (torch.sign, {}),
        "hardtanh": (lambda t: F.hardtanh(t, -1.0, 1.0), {"min_val": -1.0, "max_val": 1.0}),
        "relu6": (F.relu6, {}), "hardsigmoid": (F.hardsigmoid, {}), "hardswish": (F.hardswish, {}),
        "leaky_relu": (lambda t: F.leaky_relu(t, 0.1), {"negative_slope": 0.1}),
        "elu": (lambda t: F.elu(t, 1.3), {"alpha": 1.3, "scale": 1.0, "input_scale": 1.0}),
        "clamp": (lambda t: torch.clamp(t, -1.0, 1.0), {"min": -1.0, "max": 1.0}),
        "gelu": (F.gelu, {"approximate": "none"}), "silu": (F.silu, {}), "mish": (F.mish, {}),
        "softplus": (lambda t: F.softplus(t, 1.0, 2.0), {"beta": 1.0, "threshold": 2.0}),
        "logsigmoid": (F.logsigmoid, {}), "floor": (torch.floor, {}),
        "round": (torch.round, {}), "frac": (torch.frac, {}),
        "nan_to_num": (torch.nan_to_num, {}),
    }
    for name, (fn, params) in fns.items():
        xx = x.clone().requires_grad_()
        out = fn(xx)
        (gx,) = torch.autograd.grad((out * w).sum(), xx)
        cases.append(case(f"grad/{name}", name, "grad", {"x": x, "w": w, "out": out, "gx": gx}, params=params))
    # maximum/minimum ties split the gradient.
    a = torch.tensor([1.0, 2.0, 3.0, -1.0], dtype=torch.float64)
    b = torch.tensor([1.0, 3.0, 2.0, -1.0], dtype=torch.float64)
    for name, fn in (("maximum", torch.maximum), ("minimum", torch.minimum)):
        aa, bb = a.clone().requires_grad_(), b.clone().requires_grad_()
        out = fn(aa, bb)
        wa = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
        ga, gb = torch.autograd.grad((out * wa).sum(), (aa, bb))
        cases.append(case(f"grad/{name}", name, "grad2", {"x": a, "y": b, "w": wa, "out": out, "gx": ga, "gy": gb}))
    # clamp with a tensor bound: a tie splits the gradient between x and the bound.
    aa = torch.tensor([-1.0, 0.0, 2.0, 0.7], dtype=torch.float64, requires_grad=True)
    bb = torch.tensor([-1.0, 0.5, 1.0, 0.7], dtype=torch.float64, requires_grad=True)
    out = torch.clamp(aa, min=bb)
    wa = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    ga, gb = torch.autograd.grad((out * wa).sum(), (aa, bb))
    cases.append(case("grad/clamp_min_tensor", "clamp_min", "grad2",
                      {"x": aa, "y": bb, "w": wa, "out": out, "gx": ga, "gy": gb}))
    # pow at base 0 with exponent 0 and 2 (masked derivatives).
    aa = torch.tensor([0.0, 0.0, 2.0, 0.0], dtype=torch.float64, requires_grad=True)
    bb = torch.tensor([0.0, 2.0, 0.5, -1.0], dtype=torch.float64, requires_grad=True)
    out = torch.pow(aa, bb)
    wa = torch.ones(4, dtype=torch.float64)
    ga, gb = torch.autograd.grad((out * wa).sum(), (aa, bb))
    cases.append(case("grad/pow", "pow", "grad2", {"x": aa, "y": bb, "w": wa, "out": out, "gx": ga, "gy": gb}))
    return cases


def generate():
    cases = unary_cases() + binary_cases() + scalar_cases() + ternary_cases() + grad_cases()
    return {"torch_version": torch.__version__, "cases": cases}


if __name__ == "__main__":
    import json
    import os

    out = os.path.join(os.path.dirname(__file__), "data", "pointwise.json")
    with open(out, "w") as f:
        json.dump(generate(), f, separators=(",", ":"))
