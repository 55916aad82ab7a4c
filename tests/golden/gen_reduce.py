"""Golden cases for tests/ops/reduce_golden_test.cpp: reductions (sum, mean, prod, max/min,
amax/amin, argmax/argmin, var/std (+_mean), norm, logsumexp, all/any/count_nonzero),
softmax/log_softmax and scans (cumsum/cumprod).

generate() -> {"cases": [...]} in the format documented in tests/support/golden.h.
attrs["op"] names the Fluxion function; the other attrs hold its arguments:
  "dims": list or null (null = the overload/argument without dims), "keepdim": bool,
  "dim": int or null, "dtype": dtype name or null, "correction": float, "p": float or "inf"/"-inf".
attrs["layout"] says how the C++ test rebuilds the input "x" from the stored tensor:
  "t"      stored = x.mT().contiguous(); the test passes stored.mT()
  "step2"  stored has the last dim doubled; the test passes stored[..., ::2]
  "expand" stored has size 1 where x is broadcast; the test expands it to attrs["shape"]
Results are "out" (one tensor) or "out0", "out1" (values/indices, var/mean).
Float inputs are multiples of 1/4 in [-2, 2] (sums are exact), so the JSON stays small.
"""
import math
import warnings

import torch

DTYPES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int8: "int8", torch.uint8: "uint8", torch.int32: "int32", torch.int64: "int64", torch.bool: "bool",
}
NAMES = {v: k for k, v in DTYPES.items()}
f32, f64, f16, bf16 = torch.float32, torch.float64, torch.float16, torch.bfloat16
i8, u8, i32, i64, b8 = torch.int8, torch.uint8, torch.int32, torch.int64, torch.bool
FLOATS = [f32, f64, f16, bf16]
ALL = FLOATS + [i8, u8, i32, i64, b8]
INF, NAN = float("inf"), float("nan")

_gen = torch.Generator().manual_seed(1234)


def encode(t):
    t = t.detach().contiguous()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        data.append(v)
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def rnd(shape, dtype=f32, lo=-8, hi=9):
    if dtype == b8:
        return torch.randint(0, 2, shape, generator=_gen).bool()
    if dtype == u8:
        return torch.randint(0, 6, shape, generator=_gen).to(dtype)
    if not dtype.is_floating_point:
        return torch.randint(-4, 5, shape, generator=_gen).to(dtype)
    return (torch.randint(lo, hi, shape, generator=_gen).to(f64) / 4).to(dtype)


def small(shape, dtype=f32):
    """Values in {-1.5, -1, -0.5, 0.5, 1, 1.5} (products stay small and exact), some zeros."""
    v = torch.tensor([-1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 0.0, 1.0], dtype=f64)
    idx = torch.randint(0, len(v), shape, generator=_gen)
    return v[idx].to(dtype) if dtype.is_floating_point else torch.randint(-2, 3, shape, generator=_gen).to(dtype)


def stored(x, layout):
    if layout == "t":
        s = x.mT.contiguous()
        return s, s.mT
    if layout == "step2":
        s = torch.stack([x, torch.zeros_like(x)], dim=-1).reshape(*x.shape[:-1], 2 * x.shape[-1])
        return s, s[..., ::2]
    raise ValueError(layout)


def case(name, op, x, fn, layout=None, expand=None, **attrs):
    tensors = {}
    if expand is not None:
        tensors["x"] = encode(x)
        view = x.expand(*expand)
        attrs["shape"] = list(expand)
        layout = "expand"
    elif layout is not None:
        s, view = stored(x, layout)
        tensors["x"] = encode(s)
    else:
        tensors["x"] = encode(x)
        view = x
    out = fn(view)
    if isinstance(out, (tuple, list)):
        for i, o in enumerate(out):
            tensors[f"out{i}"] = encode(o)
    else:
        tensors["out"] = encode(out)
    a = {"op": op, "layout": layout, **attrs}
    return {"name": name, "attrs": a, "tensors": tensors}


def dn(dt):
    return None if dt is None else DTYPES[dt]


# ---- sum / mean / prod ------------------------------------------------------------------------

def sum_like_cases():
    cs = []
    for dt in ALL:
        x = rnd((2, 3, 4), dt)
        tag = DTYPES[dt]
        cs.append(case(f"sum/{tag}/all", "sum", x, lambda v: v.sum(), dims=None))
        for dims, kd in [([0], False), ([-1], True), ([0, 2], False), ([1], True), ([2, 0, 1], False), ([], False)]:
            cs.append(case(f"sum/{tag}/{dims}/{kd}", "sum", x, lambda v, d=dims, k=kd: v.sum(d, keepdim=k),
                           dims=dims, keepdim=kd))
        cs.append(case(f"sum/{tag}/t", "sum", rnd((5, 6), dt), lambda v: v.sum(0), layout="t", dims=[0], keepdim=False))
        cs.append(case(f"prod/{tag}/all", "prod", small((2, 3), dt), lambda v: v.prod(), dim=None))
        cs.append(case(f"prod/{tag}/dim", "prod", small((3, 4), dt), lambda v: v.prod(1), dim=1, keepdim=False))
    for dt in FLOATS:
        x = rnd((2, 3, 4), dt)
        tag = DTYPES[dt]
        cs.append(case(f"mean/{tag}/all", "mean", x, lambda v: v.mean(), dims=None))
        for dims, kd in [([0], False), ([-1], True), ([0, 2], False)]:
            cs.append(case(f"mean/{tag}/{dims}/{kd}", "mean", x, lambda v, d=dims, k=kd: v.mean(d, keepdim=k),
                           dims=dims, keepdim=kd))
    # Non-contiguous layouts.
    x = rnd((4, 6))
    for layout in ["t", "step2"]:
        cs.append(case(f"sum/f32/{layout}/dim0", "sum", x, lambda v: v.sum(0), layout=layout, dims=[0], keepdim=False))
        cs.append(case(f"sum/f32/{layout}/dim1", "sum", x, lambda v: v.sum(1, keepdim=True), layout=layout, dims=[1],
                       keepdim=True))
        cs.append(case(f"mean/f32/{layout}/all", "mean", x, lambda v: v.mean(), layout=layout, dims=None))
    cs.append(case("sum/f32/expand", "sum", rnd((1, 5)), lambda v: v.sum(0), expand=(4, 5), dims=[0], keepdim=False))
    cs.append(case("sum/f32/expand_all", "sum", rnd((3, 1)), lambda v: v.sum(), expand=(3, 7), dims=None))
    # dtype arguments.
    cs.append(case("sum/i32->f32", "sum", rnd((3, 4), i32), lambda v: v.sum(1, dtype=f32), dims=[1], keepdim=False,
                   dtype="float32"))
    cs.append(case("sum/f32->f64", "sum", rnd((3, 4)), lambda v: v.sum(dtype=f64), dims=None, dtype="float64"))
    cs.append(case("sum/f32->i32", "sum", rnd((3, 4)), lambda v: v.sum(0, dtype=i32), dims=[0], keepdim=False,
                   dtype="int32"))
    cs.append(case("mean/i64->f64", "mean", rnd((3, 4), i64), lambda v: v.mean(dtype=f64), dims=None,
                   dtype="float64"))
    cs.append(case("mean/f16->f32", "mean", rnd((3, 4), f16), lambda v: v.mean(0, dtype=f32), dims=[0],
                   keepdim=False, dtype="float32"))
    cs.append(case("prod/i8->f32", "prod", small((3, 4), i8), lambda v: v.prod(0, dtype=f32), dim=0, keepdim=False,
                   dtype="float32"))
    # f16 mean whose sum overflows f16 (PyTorch accumulates in float).
    cs.append(case("mean/f16/large", "mean", torch.full((200,), 1000.0, dtype=f16), lambda v: v.mean(), dims=None))
    # Empty and 0-d.
    e = torch.zeros((0, 3))
    cs.append(case("sum/empty/all", "sum", e, lambda v: v.sum(), dims=None))
    cs.append(case("sum/empty/dim0", "sum", e, lambda v: v.sum(0), dims=[0], keepdim=False))
    cs.append(case("sum/empty/dim1", "sum", e, lambda v: v.sum(1), dims=[1], keepdim=False))
    cs.append(case("mean/empty/all", "mean", e, lambda v: v.mean(), dims=None))
    cs.append(case("mean/empty/dim0", "mean", e, lambda v: v.mean(0, keepdim=True), dims=[0], keepdim=True))
    cs.append(case("prod/empty/all", "prod", e, lambda v: v.prod(), dim=None))
    cs.append(case("sum/empty_i32/all", "sum", torch.zeros((0,), dtype=i32), lambda v: v.sum(), dims=None))
    z = torch.tensor(2.5)
    cs.append(case("sum/0d", "sum", z, lambda v: v.sum(), dims=None))
    cs.append(case("sum/0d/dim0", "sum", z, lambda v: v.sum(0, keepdim=True), dims=[0], keepdim=True))
    cs.append(case("mean/0d/dim-1", "mean", z, lambda v: v.mean(-1), dims=[-1], keepdim=False))
    cs.append(case("prod/0d/dim0", "prod", z, lambda v: v.prod(0), dim=0, keepdim=False))
    # NaN / inf.
    xn = torch.tensor([[1.0, NAN, 2.0], [INF, 1.0, -1.0], [INF, -INF, 0.0]])
    cs.append(case("sum/nan_inf", "sum", xn, lambda v: v.sum(1), dims=[1], keepdim=False))
    cs.append(case("prod/nan_inf", "prod", xn, lambda v: v.prod(1), dim=1, keepdim=False))
    return cs


# ---- max / min ------------------------------------------------------------------------------------

def minmax_cases():
    cs = []
    for dt in ALL:
        tag = DTYPES[dt]
        x = rnd((2, 3, 4), dt)  # plenty of ties
        for op in ["max", "min"]:
            cs.append(case(f"{op}/{tag}/all", op, x, lambda v, o=op: getattr(v, o)(), dim=None))
            for dim, kd in [(0, False), (-1, True), (1, False)]:
                cs.append(case(f"{op}/{tag}/dim{dim}/{kd}", op, x, lambda v, o=op, d=dim, k=kd: tuple(getattr(v, o)(d, k)),
                               dim=dim, keepdim=kd))
        for op in ["amax", "amin"]:
            for dims, kd in [([], False), ([0], False), ([0, 2], True), ([-1], False)]:
                cs.append(case(f"{op}/{tag}/{dims}/{kd}", op, x,
                               lambda v, o=op, d=dims, k=kd: getattr(v, o)(d, keepdim=k), dims=dims, keepdim=kd))
        if dt != b8:
            for op in ["argmax", "argmin"]:
                cs.append(case(f"{op}/{tag}/none", op, x, lambda v, o=op: getattr(v, o)(), dim=None, keepdim=False))
                cs.append(case(f"{op}/{tag}/none/kd", op, x, lambda v, o=op: getattr(v, o)(keepdim=True), dim=None,
                               keepdim=True))
                for dim in [0, 2, -2]:
                    cs.append(case(f"{op}/{tag}/dim{dim}", op, x, lambda v, o=op, d=dim: getattr(v, o)(d), dim=dim,
                                   keepdim=False))
    # NaN handling: max/min/amax propagate NaN, argmax returns the first NaN.
    xn = torch.tensor([[1.0, NAN, 3.0, NAN], [2.0, 5.0, -1.0, 0.0], [-INF, -INF, -INF, -INF]])
    for op in ["max", "min"]:
        cs.append(case(f"{op}/nan/dim1", op, xn, lambda v, o=op: tuple(getattr(v, o)(1)), dim=1, keepdim=False))
        cs.append(case(f"{op}/nan/dim0", op, xn, lambda v, o=op: tuple(getattr(v, o)(0)), dim=0, keepdim=False))
        cs.append(case(f"{op}/nan/all", op, xn, lambda v, o=op: getattr(v, o)(), dim=None))
    for op in ["amax", "amin"]:
        cs.append(case(f"{op}/nan", op, xn, lambda v, o=op: getattr(v, o)(1), dims=[1], keepdim=False))
    for op in ["argmax", "argmin"]:
        cs.append(case(f"{op}/nan", op, xn, lambda v, o=op: getattr(v, o)(1), dim=1, keepdim=False))
        cs.append(case(f"{op}/nan/none", op, xn, lambda v, o=op: getattr(v, o)(), dim=None, keepdim=False))
    # Layouts.
    x = rnd((5, 6))
    for layout in ["t", "step2"]:
        cs.append(case(f"max/{layout}/dim0", "max", x, lambda v: tuple(v.max(0)), layout=layout, dim=0, keepdim=False))
        cs.append(case(f"argmin/{layout}/none", "argmin", x, lambda v: v.argmin(), layout=layout, dim=None,
                       keepdim=False))
        cs.append(case(f"amax/{layout}/dim1", "amax", x, lambda v: v.amax(1), layout=layout, dims=[1], keepdim=False))
    cs.append(case("amin/expand", "amin", rnd((1, 5)), lambda v: v.amin(0), expand=(4, 5), dims=[0], keepdim=False))
    cs.append(case("max/expand/dim0", "max", rnd((1, 5)), lambda v: tuple(v.max(0)), expand=(4, 5), dim=0,
                   keepdim=False))
    # 0-d and empty (non-reduced empty dims are fine).
    z = torch.tensor(-3.0)
    cs.append(case("max/0d", "max", z, lambda v: tuple(v.max(0)), dim=0, keepdim=False))
    cs.append(case("argmax/0d", "argmax", z, lambda v: v.argmax(0), dim=0, keepdim=False))
    cs.append(case("amax/0d", "amax", z, lambda v: v.amax(), dims=[], keepdim=False))
    cs.append(case("max/empty/dim1", "max", torch.zeros((0, 3)), lambda v: tuple(v.max(1)), dim=1, keepdim=False))
    cs.append(case("amax/empty/dim1", "amax", torch.zeros((0, 3)), lambda v: v.amax(1), dims=[1], keepdim=False))
    return cs


# ---- statistics ---------------------------------------------------------------------------------

def stats_cases():
    cs = []
    for dt in FLOATS:
        tag = DTYPES[dt]
        x = rnd((2, 3, 4), dt)
        for op in ["var", "std"]:
            cs.append(case(f"{op}/{tag}/all", op, x, lambda v, o=op: getattr(v, o)(), dims=None, correction=1.0,
                           keepdim=False))
            for dims, corr, kd in [([0], 1.0, False), ([-1], 0.0, True), ([0, 2], 2.0, False), ([1], 0.5, False)]:
                cs.append(case(f"{op}/{tag}/{dims}/{corr}/{kd}", op, x,
                               lambda v, o=op, d=dims, c=corr, k=kd: getattr(v, o)(d, correction=c, keepdim=k),
                               dims=dims, correction=corr, keepdim=kd))
        for op in ["var_mean", "std_mean"]:
            fn = getattr(torch, op)
            cs.append(case(f"{op}/{tag}/dim1", op, x, lambda v, f=fn: tuple(f(v, 1, correction=0)), dims=[1],
                           correction=0.0, keepdim=False))
            cs.append(case(f"{op}/{tag}/all", op, x, lambda v, f=fn: tuple(f(v)), dims=None, correction=1.0,
                           keepdim=False))
        for p in [2.0, 1.0, 0.0, INF, -INF, 3.0, 0.5, -1.0]:
            ps = p if math.isfinite(p) else ("inf" if p > 0 else "-inf")
            cs.append(case(f"norm/{tag}/p{ps}/all", "norm", x, lambda v, q=p: torch.linalg.vector_norm(v, q), p=ps,
                           dims=None, keepdim=False))
            cs.append(case(f"norm/{tag}/p{ps}/dim1", "norm", x,
                           lambda v, q=p: torch.linalg.vector_norm(v, q, dim=1, keepdim=True), p=ps, dims=[1],
                           keepdim=True))
        cs.append(case(f"logsumexp/{tag}/dim-1", "logsumexp", x, lambda v: v.logsumexp(-1), dims=[-1], keepdim=False))
        cs.append(case(f"logsumexp/{tag}/dims02", "logsumexp", x, lambda v: v.logsumexp((0, 2), keepdim=True),
                       dims=[0, 2], keepdim=True))
    # Large mean: no catastrophic cancellation.
    xl = (torch.arange(64, dtype=f64) / 4 + 1e4).to(f32)
    cs.append(case("var/f32/large_mean", "var", xl, lambda v: v.var(), dims=None, correction=1.0, keepdim=False))
    # Degenerate corrections and empty inputs.
    cs.append(case("var/one_elem", "var", torch.tensor([3.0]), lambda v: v.var(), dims=None, correction=1.0,
                   keepdim=False))
    cs.append(case("var/corr2", "var", torch.tensor([1.0, 2.0]), lambda v: v.var(correction=2), dims=None,
                   correction=2.0, keepdim=False))
    cs.append(case("var/empty", "var", torch.zeros((0, 2)), lambda v: v.var(0), dims=[0], correction=1.0,
                   keepdim=False))
    cs.append(case("std/0d", "std", torch.tensor(2.0), lambda v: v.std(correction=0), dims=None, correction=0.0,
                   keepdim=False))
    cs.append(case("norm/empty", "norm", torch.zeros((0, 3)), lambda v: torch.linalg.vector_norm(v), p=2.0,
                   dims=None, keepdim=False))
    cs.append(case("norm/zeros", "norm", torch.zeros((2, 3)), lambda v: torch.linalg.vector_norm(v, dim=1), p=2.0,
                   dims=[1], keepdim=False))
    # Layouts.
    x = rnd((4, 6))
    for layout in ["t", "step2"]:
        cs.append(case(f"var/{layout}/dim0", "var", x, lambda v: v.var(0), layout=layout, dims=[0], correction=1.0,
                       keepdim=False))
        cs.append(case(f"norm/{layout}/dim1", "norm", x, lambda v: torch.linalg.vector_norm(v, dim=1),
                       layout=layout, p=2.0, dims=[1], keepdim=False))
        cs.append(case(f"logsumexp/{layout}/dim0", "logsumexp", x, lambda v: v.logsumexp(0), layout=layout,
                       dims=[0], keepdim=False))
    # logsumexp stability and edge values.
    xs = torch.tensor([[1000.0, 1000.0, 999.0], [-1000.0, -1001.0, -1000.0], [-INF, -INF, -INF],
                       [INF, 1.0, 2.0], [NAN, 1.0, 2.0], [-INF, 0.0, -INF]])
    cs.append(case("logsumexp/extreme", "logsumexp", xs, lambda v: v.logsumexp(1), dims=[1], keepdim=False))
    cs.append(case("logsumexp/int", "logsumexp", torch.tensor([1, 2, 3]), lambda v: v.logsumexp(0), dims=[0],
                   keepdim=False))
    cs.append(case("logsumexp/empty", "logsumexp", torch.zeros((0,)), lambda v: v.logsumexp(0), dims=[0],
                   keepdim=False))
    return cs


# ---- softmax / scans / logical ----------------------------------------------------------------

def softmax_scan_logical_cases():
    cs = []
    for dt in FLOATS:
        tag = DTYPES[dt]
        x = rnd((2, 3, 4), dt)
        for op in ["softmax", "log_softmax"]:
            for dim in [0, 1, -1]:
                cs.append(case(f"{op}/{tag}/dim{dim}", op, x, lambda v, o=op, d=dim: getattr(v, o)(d), dim=dim))
    xs = torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0], [-INF, 0.0, 1.0], [-INF, -INF, -INF],
                       [INF, 1.0, 0.0], [NAN, 1.0, 0.0]])
    for op in ["softmax", "log_softmax"]:
        cs.append(case(f"{op}/extreme/dim1", op, xs, lambda v, o=op: getattr(v, o)(1), dim=1))
        cs.append(case(f"{op}/extreme/dim0", op, xs.t().contiguous(), lambda v, o=op: getattr(v, o)(0), dim=0))
        cs.append(case(f"{op}/t/dim1", op, rnd((4, 6)), lambda v, o=op: getattr(v, o)(1), layout="t", dim=1))
        cs.append(case(f"{op}/step2/dim0", op, rnd((4, 6)), lambda v, o=op: getattr(v, o)(0), layout="step2", dim=0))
        cs.append(case(f"{op}/i32->f32", op, rnd((2, 3), i32), lambda v, o=op: getattr(v, o)(1, dtype=f32), dim=1,
                       dtype="float32"))
        cs.append(case(f"{op}/f16->f32", op, rnd((2, 3), f16), lambda v, o=op: getattr(v, o)(1, dtype=f32), dim=1,
                       dtype="float32"))
        cs.append(case(f"{op}/0d", op, torch.tensor(3.0), lambda v, o=op: getattr(v, o)(0), dim=0))
        cs.append(case(f"{op}/empty", op, torch.zeros((2, 0)), lambda v, o=op: getattr(v, o)(1), dim=1))
        cs.append(case(f"{op}/long_row", op, rnd((2, 67)), lambda v, o=op: getattr(v, o)(1), dim=1))
    for dt in ALL:
        tag = DTYPES[dt]
        x = rnd((2, 3, 4), dt)
        cs.append(case(f"cumsum/{tag}/dim1", "cumsum", x, lambda v: v.cumsum(1), dim=1))
        cs.append(case(f"cumsum/{tag}/dim-1", "cumsum", x, lambda v: v.cumsum(-1), dim=-1))
        cs.append(case(f"cumprod/{tag}/dim0", "cumprod", small((2, 3, 4), dt), lambda v: v.cumprod(0), dim=0))
        cs.append(case(f"cumprod/{tag}/dim2", "cumprod", small((2, 3, 4), dt), lambda v: v.cumprod(2), dim=2))
        for op in ["all", "any"]:
            cs.append(case(f"{op}/{tag}/all", op, x, lambda v, o=op: getattr(v, o)(), dim=None))
            cs.append(case(f"{op}/{tag}/dim1", op, x, lambda v, o=op: getattr(v, o)(1), dim=1, keepdim=False))
            cs.append(case(f"{op}/{tag}/dim-1/kd", op, x, lambda v, o=op: getattr(v, o)(-1, True), dim=-1, keepdim=True))
        cs.append(case(f"count_nonzero/{tag}/all", "count_nonzero", x, lambda v: torch.count_nonzero(v), dims=None))
        cs.append(case(f"count_nonzero/{tag}/dims", "count_nonzero", x, lambda v: torch.count_nonzero(v, (0, 2)),
                       dims=[0, 2]))
    cs.append(case("cumsum/t", "cumsum", rnd((4, 6)), lambda v: v.cumsum(0), layout="t", dim=0))
    cs.append(case("cumprod/step2", "cumprod", small((4, 6)), lambda v: v.cumprod(1), layout="step2", dim=1))
    cs.append(case("cumsum/i32->f64", "cumsum", rnd((3, 4), i32), lambda v: v.cumsum(1, dtype=f64), dim=1,
                   dtype="float64"))
    cs.append(case("cumsum/f32->i32", "cumsum", rnd((3, 4)), lambda v: v.cumsum(1, dtype=i32), dim=1, dtype="int32"))
    cs.append(case("cumsum/0d", "cumsum", torch.tensor(4.0), lambda v: v.cumsum(0), dim=0))
    cs.append(case("cumsum/empty", "cumsum", torch.zeros((2, 0)), lambda v: v.cumsum(1), dim=1))
    cs.append(case("cumsum/nan", "cumsum", torch.tensor([1.0, NAN, 2.0, INF]), lambda v: v.cumsum(0), dim=0))
    xn = torch.tensor([[0.0, NAN, 1.0], [0.0, 0.0, 0.0]])
    cs.append(case("all/nan", "all", xn, lambda v: v.all(1), dim=1, keepdim=False))
    cs.append(case("any/nan", "any", xn, lambda v: v.any(1), dim=1, keepdim=False))
    cs.append(case("count_nonzero/nan", "count_nonzero", xn, lambda v: torch.count_nonzero(v, 1), dims=[1]))
    for op in ["all", "any"]:
        cs.append(case(f"{op}/empty", op, torch.zeros((0, 3)), lambda v, o=op: getattr(v, o)(), dim=None))
        cs.append(case(f"{op}/u8/empty", op, torch.zeros((0,), dtype=u8), lambda v, o=op: getattr(v, o)(), dim=None))
    return cs


def generate():
    warnings.filterwarnings("ignore", message=".*degrees of freedom.*")
    cases = sum_like_cases() + minmax_cases() + stats_cases() + softmax_scan_logical_cases()
    return {"torch_version": torch.__version__, "cases": cases}


if __name__ == "__main__":
    import json
    import os
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "reduce.json")
    with open(out, "w") as f:
        json.dump(generate(), f)
