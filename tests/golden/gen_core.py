"""Golden cases for tests/core: tensor printing (str(t) from PyTorch) and range factories.

generate() -> {"cases": [...]} in the format documented in tests/support/golden.h.
Printing cases store the input tensor as "x" and PyTorch's str() in attrs["expected"] with
"torch." stripped from dtype names (Fluxion prints dtype=float64, PyTorch dtype=torch.float64).
"""
import math

import torch

DTYPES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int8: "int8", torch.uint8: "uint8", torch.int32: "int32", torch.int64: "int64", torch.bool: "bool",
}


def encode(t):
    t = t.detach().contiguous()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        data.append(v)
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def print_case(name, x, transform=None, requires_grad=False, op=None):
    """`transform` names a view the C++ test applies to x before printing ("t": transpose)."""
    y = x.t() if transform == "t" else x
    if requires_grad:
        y = y.detach().requires_grad_(True)
    if op == "clone":
        y = y.clone()
    attrs = {"expected": str(y).replace("torch.", ""), "requires_grad": requires_grad}
    if transform:
        attrs["transform"] = transform
    if op:
        attrs["op"] = op
    return {"name": "print/" + name, "attrs": attrs, "tensors": {"x": encode(x)}}


def print_cases():
    g = torch.Generator().manual_seed(0)
    f = torch.tensor
    return [
        print_case("matrix_int_mode", f([[1.0, 2.0], [3.0, 4.0]])),
        print_case("fixed", (torch.arange(6, dtype=torch.float32) / 3).reshape(2, 3)),
        print_case("negative_mixed", f([-1.2345, 100.5, 0.25])),
        print_case("sci_ratio", f([1e-5, 1.0, 1000.0])),
        print_case("sci_int_mode", f([1e9, 1.0])),
        print_case("sci_small", f([1e-10, 2e-10])),
        print_case("nonfinite", f([1.0, math.nan, math.inf, -math.inf])),
        print_case("zeros_nan", f([0.0, -0.0, math.nan])),
        print_case("all_zero", torch.zeros(2, 2)),
        print_case("float64", f([1.5, 2.5], dtype=torch.float64)),
        print_case("float16", f([0.1, 2.0, -3.5], dtype=torch.float16)),
        print_case("bfloat16", f([[0.1, 2.0], [-3.5, 1e3]], dtype=torch.bfloat16)),
        print_case("int64", f([1, -20, 300])),
        print_case("int32", f([[1, 2], [3, 4]], dtype=torch.int32)),
        print_case("uint8", f([0, 255, 7], dtype=torch.uint8)),
        print_case("int8", f([-128, 127], dtype=torch.int8)),
        print_case("bool", f([True, False, True])),
        print_case("scalar_float", f(3.5)),
        print_case("scalar_int_mode", f(3.0)),
        print_case("scalar_int", f(7)),
        print_case("scalar_bool", f(False)),
        print_case("scalar_int32", f(-5, dtype=torch.int32)),
        print_case("empty", torch.zeros(0)),
        print_case("empty_2d", torch.zeros(0, 3)),
        print_case("empty_int64", torch.zeros(0, dtype=torch.int64)),
        print_case("empty_bool_3d", torch.zeros(2, 0, 1, dtype=torch.bool)),
        print_case("wrap_lines", torch.arange(30, dtype=torch.float32) * 1.5 + 0.125),
        print_case("wrap_float64_suffix", torch.arange(20, dtype=torch.float64) * 1.25 + 1000.5),
        print_case("summarize_1d", torch.arange(1001, dtype=torch.float32)),
        print_case("summarize_3d", torch.arange(1100, dtype=torch.float32).reshape(11, 10, 10) * 0.001),
        print_case("summarize_int", torch.arange(1100).reshape(11, 100) - 500),
        print_case("summarize_sci", torch.logspace(-6, 6, 1001)),
        print_case("four_d", torch.arange(8, dtype=torch.float32).reshape(2, 1, 2, 2)),
        print_case("randn", torch.randn(5, 5, generator=g)),
        print_case("transposed", torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4, transform="t"),
        print_case("requires_grad", f([1.0, 2.0]), requires_grad=True),
        print_case("grad_fn", f([[1.5, 2.0]]), requires_grad=True, op="clone"),
    ]


def range_case(name, op, out, **attrs):
    attrs["op"] = op
    return {"name": name, "attrs": attrs, "tensors": {"out": encode(out)}}


def range_cases():
    cases = []
    for args, dtype in [((5,), None), ((2, 11, 3), None), ((10, 0, -3), None), ((0.0, 1.0, 0.1), None),
                        ((1, 2.5, 0.5), None), ((-1.5, 3.0, 0.7), torch.float64), ((0, 10, 3), torch.float32),
                        ((0.5, 5.5), torch.int64), ((0, 100, 7), torch.int32), ((1.0, 0.0, -0.25), torch.float16),
                        ((0, 20, 3), torch.uint8), ((5, 5), None)]:
        kw = {"dtype": dtype} if dtype else {}
        out = torch.arange(*args, **kw)
        full = list(args) if len(args) > 1 else [0, args[0]]
        start, end = full[0], full[1]
        step = full[2] if len(full) > 2 else 1
        cases.append(range_case("arange/%s/%s" % (",".join(map(str, args)), DTYPES[out.dtype]), "arange", out,
                                start=start, end=end, step=step, nargs=len(args),
                                dtype=DTYPES[dtype] if dtype else None))
    for start, end, steps, dtype in [(0.0, 1.0, 5, torch.float32), (-3.0, 7.0, 11, torch.float64), (2.0, -2.0, 7, torch.float32),
                                     (0.0, 1.0, 1, torch.float32), (0.0, 1.0, 0, torch.float32), (0.0, 10.0, 4, torch.int64),
                                     (-5.0, 5.0, 6, torch.int32), (0.0, 1.0, 9, torch.float16), (1.0, 100.0, 100, torch.float32)]:
        out = torch.linspace(start, end, steps, dtype=dtype)
        cases.append(range_case("linspace/%g,%g,%d/%s" % (start, end, steps, DTYPES[dtype]), "linspace", out,
                                start=start, end=end, steps=steps, dtype=DTYPES[dtype]))
    for start, end, steps, base, dtype in [(0.0, 3.0, 4, 10.0, torch.float32), (-2.0, 2.0, 5, 2.0, torch.float64),
                                           (0.0, 1.0, 1, 10.0, torch.float32), (0.0, 3.0, 4, 10.0, torch.int64),
                                           (1.0, -1.0, 7, math.e, torch.float64)]:
        out = torch.logspace(start, end, steps, base=base, dtype=dtype)
        cases.append(range_case("logspace/%g,%g,%d,%g/%s" % (start, end, steps, base, DTYPES[dtype]), "logspace", out,
                                start=start, end=end, steps=steps, base=base, dtype=DTYPES[dtype]))
    for n, m, dtype in [(3, None, torch.float32), (2, 4, torch.int64), (4, 2, torch.float64), (0, 3, torch.float32)]:
        out = torch.eye(n, m, dtype=dtype) if m is not None else torch.eye(n, dtype=dtype)
        cases.append(range_case("eye/%d,%s/%s" % (n, m, DTYPES[dtype]), "eye", out, n=n, m=m, dtype=DTYPES[dtype]))
    return cases


def midpoints(dtype, n, g):
    """Float32 values exactly halfway between adjacent `dtype` values (round-to-nearest-even ties)."""
    bits = torch.randint(0, 0x7C00 if dtype == torch.float16 else 0x7F80, (n,), generator=g, dtype=torch.int32)
    lo = bits.to(torch.int16).view(dtype).float()
    hi = (bits + 1).to(torch.int16).view(dtype).float()
    mid = (lo + hi) / 2  # exact in float32
    sign = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
    return (mid * sign)[torch.isfinite(mid)]


def conversion_cases():
    g = torch.Generator().manual_seed(1)
    special = torch.tensor([0.0, -0.0, 1.0, -1.0, 65504.0, 65519.0, 65520.0, 1e6, -1e6, 2.0 ** -24, 2.0 ** -25,
                            1.5 * 2.0 ** -25, 2.0 ** -14, 2.0 ** -15, 6e-8, 3e-38, 1e-45, 3.4e38, math.inf, -math.inf,
                            math.nan, 1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8])
    wide = torch.randn(400, generator=g) * torch.exp2(torch.randint(-30, 20, (400,), generator=g).float())
    x = torch.cat([special, wide, midpoints(torch.float16, 300, g), midpoints(torch.bfloat16, 300, g)]).float()
    return [{"name": "convert/half_bfloat16", "attrs": {},
             "tensors": {"x": encode(x), "half": encode(x.half()), "bfloat16": encode(x.bfloat16())}}]


def generate():
    return {"torch_version": torch.__version__, "cases": print_cases() + range_cases() + conversion_cases()}
