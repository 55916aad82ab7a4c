"""Golden cases for tests/ops/index_golden_test.cpp: indexing, scattering, joining, reordering,
padding and sorting.

generate() -> {"cases": [...]} in the format documented in tests/support/golden.h.
attrs["op"] names the Fluxion function, attrs["inputs"] lists the input tensor names in call order
and the other attrs hold the non-tensor arguments. attrs["layouts"][name] says how the C++ test
rebuilds a non-contiguous input from the stored tensor:
  "t"      stored = x.mT().contiguous(); the test passes stored.mT()
  "step2"  stored has the last dim doubled; the test passes stored[..., ::2]
  "expand" stored has size 1 where x is broadcast; the test expands it to attrs["shapes"][name]
Results are "out" (one tensor) or "out0", "out1", ... (several; a missing key means undefined).
For "index" / "index_put_expr", attrs["expr"] is a list of TensorIndex items:
  {"k": "int", "v": 1}, {"k": "slice", "start": 0|null, "stop": 2|null, "step": 1}, {"k": "none"},
  {"k": "ellipsis"}, {"k": "bool", "v": true}, {"k": "tensor", "name": "i0"}.
Float inputs are multiples of 1/4 in [-2, 2], so sums are exact and the JSON stays small.
"""
import math

import torch
import torch.nn.functional as F

DTYPES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int8: "int8", torch.uint8: "uint8", torch.int32: "int32", torch.int64: "int64", torch.bool: "bool",
}
f32, f64, i64, i32 = torch.float32, torch.float64, torch.int64, torch.int32

_gen = torch.Generator().manual_seed(4321)


def encode(t):
    t = t.detach().contiguous()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        data.append(v)
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def rnd(shape, dtype=f32):
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=_gen).bool()
    if dtype == torch.uint8:
        return torch.randint(0, 20, shape, generator=_gen).to(dtype)
    if not dtype.is_floating_point:
        return torch.randint(-9, 10, shape, generator=_gen).to(dtype)
    return (torch.randint(-8, 9, shape, generator=_gen).to(f64) / 4).to(dtype)


def distinct(shape, dtype=f32):
    """Values without ties (for sort/topk, whose tie order is implementation-defined)."""
    n = 1
    for s in shape:
        n *= s
    v = torch.randperm(n, generator=_gen).to(f64) - n // 2
    if dtype.is_floating_point:
        v = v / 4
    return v.reshape(shape).to(dtype)


def idx(shape, high, low=0, dtype=i64):
    return torch.randint(low, high, shape, generator=_gen).to(dtype)


def stored(x, layout):
    if layout == "t":
        s = x.mT.contiguous()
        return s, s.mT
    if layout == "step2":
        s = torch.stack([x, torch.zeros_like(x)], dim=-1).reshape(*x.shape[:-1], 2 * x.shape[-1])
        return s, s[..., ::2]
    raise ValueError(layout)


def case(name, op, inputs, fn, layouts=None, expand=None, **attrs):
    """inputs: list of (name, tensor); fn computes the expected result(s) from the rebuilt views."""
    layouts = dict(layouts or {})
    expand = expand or {}
    tensors, views, shapes = {}, [], {}
    for key, x in inputs:
        if key in expand:
            tensors[key] = encode(x)
            views.append(x.expand(*expand[key]))
            shapes[key] = list(expand[key])
            layouts[key] = "expand"
        elif key in layouts:
            s, v = stored(x, layouts[key])
            tensors[key] = encode(s)
            views.append(v)
        else:
            tensors[key] = encode(x)
            views.append(x)
    out = fn(*views)
    if isinstance(out, (tuple, list)):
        for i, o in enumerate(out):
            if o is not None:
                tensors[f"out{i}"] = encode(o)
        attrs["nout"] = len(out)
    else:
        tensors["out"] = encode(out)
    a = {"op": op, "inputs": [k for k, _ in inputs], "layouts": layouts, **attrs}
    if shapes:
        a["shapes"] = shapes
    return {"name": name, "attrs": a, "tensors": tensors}


# ---- indexing -------------------------------------------------------------------------------

def expr_to_py(expr, tensors):
    out = []
    for it in expr:
        k = it["k"]
        if k == "int":
            out.append(it["v"])
        elif k == "slice":
            out.append(slice(it["start"], it["stop"], it["step"]))
        elif k == "none":
            out.append(None)
        elif k == "ellipsis":
            out.append(Ellipsis)
        elif k == "bool":
            out.append(it["v"])
        else:
            out.append(tensors[it["name"]])
    return tuple(out)


def S(start=None, stop=None, step=1):
    return {"k": "slice", "start": start, "stop": stop, "step": step}


def T(name):
    return {"k": "tensor", "name": name}


I = lambda v: {"k": "int", "v": v}  # noqa: E731
NONE, ELL = {"k": "none"}, {"k": "ellipsis"}


def index_cases():
    cs = []
    x = rnd((4, 5, 6))
    exprs = [
        ("int_slice_none", [S(0, 2), I(1), NONE], {}),
        ("ellipsis_int", [ELL, I(-1)], {}),
        ("slice_step", [S(None, None, 2), S(1, None, 3)], {}),
        ("tensor0", [T("i0")], {"i0": idx((3,), 4, -4)}),
        ("tensor_2d", [T("i0")], {"i0": idx((2, 3), 4)}),
        ("two_adjacent", [S(), T("i0"), T("i1")], {"i0": idx((3,), 5), "i1": idx((3,), 6)}),
        ("two_bcast", [T("i0"), T("i1")], {"i0": idx((2, 1), 4), "i1": idx((3,), 5)}),
        ("separated", [T("i0"), S(), T("i1")], {"i0": idx((2,), 4), "i1": idx((2,), 6)}),
        ("separated_bcast", [T("i0"), S(1, 3), T("i1")], {"i0": idx((2, 1), 4), "i1": idx((1, 3), 6)}),
        ("mixed_all", [S(0, 3), NONE, ELL, T("i0")], {"i0": idx((2, 2), 6)}),
        ("int_then_tensor", [I(1), S(), T("i0")], {"i0": idx((4,), 6)}),
        ("int32_index", [S(), T("i0")], {"i0": idx((3,), 5, dtype=i32)}),
        ("mask_full", [T("m")], {"m": rnd((4, 5, 6), torch.bool)}),
        ("mask_2d", [T("m")], {"m": rnd((4, 5), torch.bool)}),
        ("mask_mid", [S(), T("m")], {"m": rnd((5,), torch.bool)}),
        ("mask_then_tensor", [T("m"), T("i0")], {"m": rnd((4, 5), torch.bool), "i0": idx((1,), 6)}),
        ("mask_uint8", [T("m")], {"m": rnd((4,), torch.bool).to(torch.uint8)}),
        ("bool_true", [{"k": "bool", "v": True}, I(0)], {}),
        ("bool_false", [{"k": "bool", "v": False}], {}),
        ("none_tensor", [NONE, T("i0")], {"i0": idx((2,), 4)}),
        ("empty_index", [T("i0")], {"i0": torch.zeros(0, dtype=i64)}),
        ("zero_d_int_tensor", [T("i0"), S(0, 2)], {"i0": torch.tensor(2)}),
    ]
    for nm, expr, ts in exprs:
        ins = [("x", x)] + list(ts.items())
        cs.append(case(f"index/{nm}", "index", ins, lambda xv, *tv, e=expr, k=list(ts): xv[expr_to_py(e, dict(zip(k, tv)))],
                       expr=expr))
    # Non-contiguous source.
    cs.append(case("index/transposed_src", "index", [("x", rnd((5, 4))), ("i0", idx((3,), 4))],
                   lambda xv, i: xv[:, i], {"x": "t"}, expr=[S(), T("i0")]))
    cs.append(case("index/int64_values", "index", [("x", rnd((3, 4), i64)), ("i0", idx((2,), 3))],
                   lambda xv, i: xv[i], expr=[T("i0")]))
    # index_put through TensorIndex expressions (x[expr] = v).
    for nm, expr, ts, vshape in [
        ("tensor", [T("i0")], {"i0": torch.tensor([0, 2, -1])}, (3, 5, 6)),
        ("slice_tensor", [S(1, 3), T("i0")], {"i0": torch.tensor([4, 0])}, (2, 6)),
        ("separated", [T("i0"), S(), T("i1")], {"i0": torch.tensor([1, 2]), "i1": torch.tensor([0, 5])}, (2, 5)),
        ("mask", [T("m")], {"m": rnd((4, 5), torch.bool)}, (6,)),
        ("bcast_value", [S(), T("i0")], {"i0": torch.tensor([1, 3])}, (1, 6)),
        ("basic_only", [I(1), S(0, 2)], {}, (1, 6)),
    ]:
        v = rnd(vshape)
        ins = [("x", x)] + list(ts.items()) + [("v", v)]

        def put(xv, *rest, e=expr, k=list(ts)):
            y = xv.clone()
            y[expr_to_py(e, dict(zip(k, rest[:-1])))] = rest[-1]
            return y
        cs.append(case(f"index_put_expr/{nm}", "index_put_expr", ins, put, expr=expr))
    # Functional index_put with accumulate (duplicates summed) and undefined (':') entries.
    xi = rnd((4, 3))
    cs.append(case("index_put/accumulate_dups", "index_put", [("x", xi), ("i0", torch.tensor([0, 2, 0, 0])),
                                                              ("v", rnd((4, 3)))],
                   lambda a, i, v: torch.ops.aten.index_put(a, [i], v, True), accumulate=True, undefined=[]))
    cs.append(case("index_put/accumulate_dim1", "index_put", [("x", xi), ("i0", torch.tensor([2, 2, 1])),
                                                              ("v", rnd((4, 3)))],
                   lambda a, i, v: torch.ops.aten.index_put(a, [None, i], v, True), accumulate=True, undefined=[0]))
    cs.append(case("index_put/int_accumulate", "index_put",
                   [("x", rnd((5,), i64)), ("i0", torch.tensor([1, 1, 4, 1])), ("v", rnd((4,), i64))],
                   lambda a, i, v: torch.ops.aten.index_put(a, [i], v, True), accumulate=True, undefined=[]))
    cs.append(case("index_put/assign", "index_put", [("x", xi), ("i0", torch.tensor([3, 1])), ("v", rnd((3,)))],
                   lambda a, i, v: torch.ops.aten.index_put(a, [i], v, False), accumulate=False, undefined=[]))
    return cs


def select_cases():
    cs = []
    for dt in (f32, f64, torch.float16, torch.bfloat16, i64, i32, torch.int8, torch.uint8, torch.bool):
        n = DTYPES[dt]
        x = rnd((4, 5), dt)
        cs.append(case(f"index_select/{n}/dim0", "index_select", [("x", x), ("i", idx((6,), 4))],
                       lambda a, i: a.index_select(0, i), dim=0))
    x = rnd((3, 4, 5))
    cs.append(case("index_select/float32/dim1_i32", "index_select", [("x", x), ("i", idx((3,), 4, dtype=i32))],
                   lambda a, i: a.index_select(1, i), dim=1))
    cs.append(case("index_select/float32/t", "index_select", [("x", rnd((5, 4))), ("i", idx((7,), 4))],
                   lambda a, i: a.index_select(1, i), {"x": "t"}, dim=1))
    cs.append(case("index_select/float32/0d_index", "index_select", [("x", x), ("i", torch.tensor(2))],
                   lambda a, i: a.index_select(-1, i), dim=-1))
    cs.append(case("index_select/float32/empty", "index_select", [("x", x), ("i", torch.zeros(0, dtype=i64))],
                   lambda a, i: a.index_select(0, i), dim=0))
    cs.append(case("index_select/float32/scalar_x", "index_select", [("x", torch.tensor(1.5)), ("i", torch.tensor([0]))],
                   lambda a, i: a.index_select(0, i), dim=0))
    # gather
    x = rnd((3, 4, 5))
    for d in (0, 1, 2, -1):
        shp = [3, 4, 5]
        ishape = [2, 3, 4]
        ishape[d] = 6
        cs.append(case(f"gather/float32/dim{d}", "gather", [("x", x), ("i", idx(tuple(ishape), shp[d]))],
                       lambda a, i, d=d: a.gather(d, i), dim=d))
    cs.append(case("gather/int64/t", "gather", [("x", rnd((5, 4), i64)), ("i", idx((3, 6), 4))],
                   lambda a, i: a.gather(1, i), {"x": "t"}, dim=1))
    cs.append(case("gather/float32/idx_t", "gather", [("x", rnd((4, 4))), ("i", idx((4, 3), 4))],
                   lambda a, i: a.gather(0, i), {"i": "t"}, dim=0))
    cs.append(case("gather/float32/i32", "gather", [("x", rnd((4, 4))), ("i", idx((2, 3), 4, dtype=i32))],
                   lambda a, i: a.gather(0, i), dim=0))
    cs.append(case("gather/float32/scalar", "gather", [("x", torch.tensor(2.5)), ("i", torch.tensor([0, 0]))],
                   lambda a, i: a.gather(0, i), dim=0))
    # scatter family
    for dt in (f32, f64, torch.bfloat16, i64, torch.uint8):
        n = DTYPES[dt]
        x = rnd((3, 5), dt)
        i = idx((2, 5), 3)
        src = rnd((2, 5), dt)
        cs.append(case(f"scatter/{n}", "scatter", [("x", x), ("i", unique_rows(i, 3)), ("src", src)],
                       lambda a, i, s: a.scatter(0, i, s), dim=0))
        cs.append(case(f"scatter_add/{n}", "scatter_add", [("x", x), ("i", i), ("src", src)],
                       lambda a, i, s: a.scatter_add(0, i, s), dim=0))
    x = rnd((4, 6))
    cs.append(case("scatter/float32/src_larger", "scatter", [("x", x), ("i", torch.tensor([[0, 3, 5], [1, 2, 4]])),
                                                             ("src", rnd((3, 7)))],
                   lambda a, i, s: a.scatter(1, i, s), dim=1))
    cs.append(case("scatter/float32/value", "scatter_value", [("x", x), ("i", torch.tensor([[0, 3], [1, 2]]))],
                   lambda a, i: a.scatter(1, i, -7.5), dim=1, value=-7.5))
    cs.append(case("scatter_add/float32/dups_dim1_t", "scatter_add",
                   [("x", rnd((4, 6))), ("i", torch.tensor([[0, 0, 5, 0], [2, 2, 2, 1]])), ("src", rnd((2, 4)))],
                   lambda a, i, s: a.scatter_add(1, i, s), {"x": "t"}, dim=1))
    for red in ("sum", "prod", "mean", "amax", "amin"):
        for inc in (True, False):
            for dt in (f32, i64):
                x = rnd((4, 3), dt)
                i = torch.tensor([[0, 1, 0], [0, 1, 2], [3, 3, 3], [0, 2, 2], [1, 0, 0]])
                src = rnd((5, 3), dt)
                cs.append(case(f"scatter_reduce/{DTYPES[dt]}/{red}/{'incl' if inc else 'excl'}", "scatter_reduce",
                               [("x", x), ("i", i), ("src", src)],
                               lambda a, i, s, r=red, inc=inc: a.scatter_reduce(0, i, s, r, include_self=inc),
                               dim=0, reduce=red, include_self=inc))
    xn = torch.tensor([[1.0, math.nan], [2.0, 3.0]])
    cs.append(case("scatter_reduce/float32/amax_nan", "scatter_reduce",
                   [("x", xn), ("i", torch.tensor([[1, 1], [0, 0]])), ("src", torch.tensor([[5.0, 1.0], [math.nan, 0.0]]))],
                   lambda a, i, s: a.scatter_reduce(0, i, s, "amax"), dim=0, reduce="amax", include_self=True))
    # index_add / index_fill / masked ops / nonzero
    x = rnd((5, 3))
    cs.append(case("index_add/float32/dups", "index_add", [("x", x), ("i", torch.tensor([0, 4, 0, 2])),
                                                           ("src", rnd((4, 3)))],
                   lambda a, i, s: a.index_add(0, i, s, alpha=-0.5), dim=0, alpha=-0.5))
    cs.append(case("index_add/int64/dim1", "index_add", [("x", rnd((3, 4), i64)), ("i", torch.tensor([3, 3], dtype=i32)),
                                                         ("src", rnd((3, 2), i64))],
                   lambda a, i, s: a.index_add(1, i, s, alpha=2), dim=1, alpha=2))
    cs.append(case("index_fill/float32", "index_fill", [("x", x), ("i", torch.tensor([1, -1]))],
                   lambda a, i: a.index_fill(0, i, 9.25), dim=0, value=9.25))
    cs.append(case("index_fill/int32/dim1_t", "index_fill", [("x", rnd((3, 5), i32)), ("i", torch.tensor([0, 2]))],
                   lambda a, i: a.index_fill(1, i, -3), {"x": "t"}, dim=1, value=-3))
    m = rnd((5, 3), torch.bool)
    cs.append(case("masked_select/float32", "masked_select", [("x", x), ("m", m)], lambda a, b: a.masked_select(b)))
    cs.append(case("masked_select/bcast", "masked_select", [("x", x), ("m", rnd((3,), torch.bool))],
                   lambda a, b: a.masked_select(b)))
    cs.append(case("masked_select/bcast_x", "masked_select", [("x", rnd((1, 3))), ("m", m)],
                   lambda a, b: a.masked_select(b)))
    cs.append(case("masked_scatter/float32", "masked_scatter", [("x", x), ("m", m), ("src", rnd((20,)))],
                   lambda a, b, s: a.masked_scatter(b, s)))
    cs.append(case("masked_scatter/bcast_mask", "masked_scatter", [("x", x), ("m", rnd((3,), torch.bool)),
                                                                   ("src", rnd((4, 5)))],
                   lambda a, b, s: a.masked_scatter(b, s)))
    xn = rnd((3, 4))
    xn[0, 0] = math.nan
    xn[1, 1] = 0.0
    cs.append(case("nonzero/float32", "nonzero", [("x", xn)], torch.nonzero))
    cs.append(case("nonzero/bool_t", "nonzero", [("x", rnd((4, 3), torch.bool))], torch.nonzero, {"x": "t"}))
    cs.append(case("nonzero/0d", "nonzero", [("x", torch.tensor(3))], torch.nonzero))
    cs.append(case("nonzero/empty", "nonzero", [("x", torch.zeros(0, 3))], torch.nonzero))
    return cs


def unique_rows(i, high):
    """Turns i into an index without duplicates along dim 0 (scatter with duplicates is undefined)."""
    cols = []
    for c in range(i.shape[1]):
        cols.append(torch.randperm(high, generator=torch.Generator().manual_seed(c))[: i.shape[0]])
    return torch.stack(cols, 1)


# ---- joining, reordering --------------------------------------------------------------------

def join_cases():
    cs = []
    a, b = rnd((2, 3)), rnd((4, 3))
    cs.append(case("cat/dim0", "cat", [("a", a), ("b", b)], lambda *t: torch.cat(t, 0), dim=0))
    cs.append(case("cat/dim1_t", "cat", [("a", rnd((2, 3))), ("b", rnd((2, 5)))], lambda *t: torch.cat(t, -1),
                   {"a": "t"}, dim=-1))
    cs.append(case("cat/promote", "cat", [("a", rnd((2, 3), i32)), ("b", rnd((1, 3), f64)), ("c", rnd((1, 3), i64))],
                   lambda *t: torch.cat(t, 0), dim=0))
    cs.append(case("cat/legacy_empty", "cat", [("a", torch.zeros(0)), ("b", rnd((2, 3), i64))],
                   lambda *t: torch.cat(t, 1), dim=1))
    cs.append(case("cat/bool_int8", "cat", [("a", rnd((2,), torch.bool)), ("b", rnd((3,), torch.int8))],
                   lambda *t: torch.cat(t), dim=0))
    cs.append(case("cat/expand", "cat", [("a", rnd((1, 3))), ("b", rnd((2, 3)))], lambda *t: torch.cat(t, 1),
                   expand={"a": (2, 3)}, dim=1))
    cs.append(case("stack/dim1", "stack", [("a", a), ("b", rnd((2, 3)))], lambda *t: torch.stack(t, 1), dim=1))
    cs.append(case("stack/dim_last", "stack", [("a", a), ("b", rnd((2, 3)))], lambda *t: torch.stack(t, -1), dim=-1))
    cs.append(case("hstack/1d", "hstack", [("a", rnd((2,))), ("b", rnd((3,)))], lambda *t: torch.hstack(t)))
    cs.append(case("hstack/2d", "hstack", [("a", a), ("b", rnd((2, 1)))], lambda *t: torch.hstack(t)))
    cs.append(case("vstack/1d", "vstack", [("a", rnd((3,))), ("b", rnd((3,)))], lambda *t: torch.vstack(t)))
    cs.append(case("vstack/mixed", "vstack", [("a", rnd((3,))), ("b", rnd((2, 3)))], lambda *t: torch.vstack(t)))
    x = rnd((7, 4))
    cs.append(case("split/size", "split", [("x", x)], lambda v: v.split(3, 0), size=3, dim=0))
    cs.append(case("split/sizes_dim1", "split_sizes", [("x", x)], lambda v: v.split([1, 3], 1), sizes=[1, 3], dim=1))
    cs.append(case("chunk/3", "chunk", [("x", x)], lambda v: v.chunk(3, 0), chunks=3, dim=0))
    cs.append(case("chunk/more_than_size", "chunk", [("x", x)], lambda v: v.chunk(6, 1), chunks=6, dim=1))
    cs.append(case("unbind/dim1", "unbind", [("x", x)], lambda v: v.unbind(1), dim=1))
    x = rnd((3, 4, 2))
    cs.append(case("flip/0", "flip", [("x", x)], lambda v: v.flip(0), dims=[0]))
    cs.append(case("flip/0_2", "flip", [("x", x)], lambda v: v.flip(0, 2), dims=[0, 2]))
    cs.append(case("flip/t", "flip", [("x", rnd((4, 5)))], lambda v: v.flip(-1), {"x": "t"}, dims=[-1]))
    cs.append(case("flip/int64_all", "flip", [("x", rnd((3, 4), i64))], lambda v: v.flip(0, 1), dims=[0, 1]))
    cs.append(case("roll/flat", "roll", [("x", x)], lambda v: v.roll(5), shifts=[5], dims=[]))
    cs.append(case("roll/two", "roll", [("x", x)], lambda v: v.roll((1, -3), (0, 1)), shifts=[1, -3], dims=[0, 1]))
    cs.append(case("roll/step2", "roll", [("x", rnd((3, 4)))], lambda v: v.roll(2, 1), {"x": "step2"}, shifts=[2],
                   dims=[1]))
    cs.append(case("repeat/basic", "repeat", [("x", rnd((2, 3)))], lambda v: v.repeat(2, 1, 3), repeats=[2, 1, 3]))
    cs.append(case("repeat/t", "repeat", [("x", rnd((2, 3)))], lambda v: v.repeat(2, 2), {"x": "t"}, repeats=[2, 2]))
    cs.append(case("repeat/zero", "repeat", [("x", rnd((2, 3)))], lambda v: v.repeat(0, 2), repeats=[0, 2]))
    cs.append(case("tile/short", "tile", [("x", rnd((2, 3)))], lambda v: v.tile((2,)), reps=[2]))
    cs.append(case("tile/long", "tile", [("x", rnd((2,), i64))], lambda v: v.tile((2, 2)), reps=[2, 2]))
    cs.append(case("repeat_interleave/int_flat", "repeat_interleave", [("x", rnd((2, 3)))],
                   lambda v: v.repeat_interleave(2), repeats=2))
    cs.append(case("repeat_interleave/int_dim1", "repeat_interleave", [("x", rnd((2, 3)))],
                   lambda v: v.repeat_interleave(3, 1), repeats=3, dim=1))
    cs.append(case("repeat_interleave/tensor_dim0", "repeat_interleave_t", [("x", rnd((3, 2))),
                                                                          ("r", torch.tensor([2, 0, 3]))],
                   lambda v, r: v.repeat_interleave(r, 0), dim=0))
    cs.append(case("repeat_interleave/tensor_flat_i32", "repeat_interleave_t",
                   [("x", rnd((2, 2))), ("r", torch.tensor([1, 2, 0, 1], dtype=i32))],
                   lambda v, r: v.repeat_interleave(r)))
    for d in (0, 1, -1, 2, -3):
        cs.append(case(f"tril/{d}", "tril", [("x", rnd((2, 3, 4)))], lambda v, d=d: v.tril(d), diagonal=d))
        cs.append(case(f"triu/{d}", "triu", [("x", rnd((3, 4)))], lambda v, d=d: v.triu(d), {"x": "t"}, diagonal=d))
    cs.append(case("tril/bool", "tril", [("x", rnd((3, 3), torch.bool))], lambda v: v.tril(), diagonal=0))
    return cs


def pad_cases():
    cs = []
    x3, x4, x5 = rnd((2, 2, 5)), rnd((1, 2, 4, 5)), rnd((1, 1, 3, 4, 4))
    combos = [
        ("constant", x3, [1, 2], 0.0), ("constant", x4, [1, 0, 2, 1], 1.5), ("constant", x4, [-1, 2, 0, -2], 0.0),
        ("constant", rnd((3,), i64), [2, 1], 7.0), ("constant", x5, [1, 1, 0, 1, 2, 0], -1.0),
        ("reflect", x3, [2, 3], 0.0), ("reflect", x4, [1, 2, 3, 0], 0.0), ("reflect", x3, [-1, 2], 0.0),
        ("reflect", x5, [1, 1, 2, 1, 1, 2], 0.0), ("reflect", rnd((2, 5)), [4, 4], 0.0),
        ("replicate", x3, [3, 1], 0.0), ("replicate", x4, [2, 2, 1, 3], 0.0), ("replicate", x5, [0, 1, 2, 0, 1, 1], 0.0),
        ("circular", x3, [2, 5], 0.0), ("circular", x3, [2, -1], 0.0), ("circular", x4, [1, 2, -1, 3], 0.0), ("circular", x5, [1, 0, 0, 2, 3, 1], 0.0),
    ]
    for k, (mode, x, p, v) in enumerate(combos):
        fn = (lambda a, p=p, v=v: F.pad(a, p, mode="constant", value=v)) if mode == "constant" else \
             (lambda a, p=p, m=mode: F.pad(a, p, mode=m))
        cs.append(case(f"pad/{mode}/{k}", "pad", [("x", x)], fn, mode=mode, pad=p, value=v))
    cs.append(case("pad/reflect/t", "pad", [("x", rnd((2, 4, 3)))], lambda a: F.pad(a, [1, 2, 2, 1], mode="reflect"),
                   {"x": "t"}, mode="reflect", pad=[1, 2, 2, 1], value=0.0))
    return cs


def sort_cases():
    cs = []
    for dt in (f32, f64, torch.float16, i64, i32, torch.int8, torch.uint8):
        x = distinct((3, 5), dt) if dt.is_floating_point or dt in (i64, i32) else rnd((3, 5), dt)
        n = DTYPES[dt]
        if dt.is_floating_point or dt in (i64, i32):
            cs.append(case(f"sort/{n}/asc", "sort", [("x", x)], lambda v: v.sort(-1), dim=-1, descending=False,
                           stable=False))
            cs.append(case(f"sort/{n}/desc_dim0", "sort", [("x", x)], lambda v: v.sort(0, True), dim=0, descending=True,
                           stable=False))
            cs.append(case(f"topk/{n}/largest", "topk", [("x", x)], lambda v: v.topk(3, -1), k=3, dim=-1, largest=True))
            cs.append(case(f"topk/{n}/smallest_dim0", "topk", [("x", x)], lambda v: v.topk(2, 0, largest=False), k=2,
                           dim=0, largest=False))
        cs.append(case(f"sort/{n}/stable_ties", "sort", [("x", rnd((2, 9), dt))], lambda v: v.sort(dim=1, stable=True),
                       dim=1, descending=False, stable=True))
        cs.append(case(f"sort/{n}/stable_ties_desc", "sort", [("x", rnd((2, 9), dt))],
                       lambda v: v.sort(dim=1, descending=True, stable=True), dim=1, descending=True, stable=True))
    xn = torch.tensor([[3.0, math.nan, -math.inf, 1.0, math.inf, math.nan, 0.0]])
    cs.append(case("sort/float32/nan", "sort", [("x", xn)], lambda v: v.sort(dim=-1, stable=True), dim=-1,
                   descending=False, stable=True))
    cs.append(case("sort/float32/nan_desc", "sort", [("x", xn)], lambda v: v.sort(dim=-1, descending=True, stable=True),
                   dim=-1, descending=True, stable=True))
    cs.append(case("sort/float32/t", "sort", [("x", distinct((4, 3)))], lambda v: v.sort(1), {"x": "t"}, dim=1,
                   descending=False, stable=False))
    cs.append(case("topk/float32/nan", "topk", [("x", torch.tensor([1.0, math.nan, 3.0, 2.0]))],
                   lambda v: v.topk(2), k=2, dim=-1, largest=True))
    cs.append(case("topk/float32/t_k0", "topk", [("x", distinct((4, 3)))], lambda v: v.topk(0, 1), {"x": "t"}, k=0,
                   dim=1, largest=True))
    cs.append(case("argsort/float32", "argsort", [("x", distinct((3, 4)))], lambda v: v.argsort(0, True), dim=0,
                   descending=True))
    x = torch.tensor([[3, 1, 2, 1], [2, 3, 3, 0]])
    cs.append(case("unique/flat", "unique", [("x", x)],
                   lambda v: torch.unique(v, return_inverse=True, return_counts=True), inverse=True, counts=True))
    cs.append(case("unique/flat_values_only", "unique", [("x", rnd((10,), f32))], lambda v: (torch.unique(v),),
                   inverse=False, counts=False))
    cs.append(case("unique/nan", "unique", [("x", torch.tensor([2.0, math.nan, 1.0, 2.0, math.nan]))],
                   lambda v: torch.unique(v, return_counts=True, return_inverse=True), inverse=True, counts=True))
    xr = torch.tensor([[1, 2, 1, 0], [1, 2, 1, 5], [0, 0, 0, 1]])
    cs.append(case("unique/dim0", "unique", [("x", xr.T.contiguous())],
                   lambda v: torch.unique(v, dim=0, return_inverse=True, return_counts=True), dim=0, inverse=True,
                   counts=True))
    cs.append(case("unique/dim1", "unique", [("x", xr)],
                   lambda v: torch.unique(v, dim=1, return_inverse=True, return_counts=True), dim=1, inverse=True,
                   counts=True))
    cs.append(case("one_hot/infer", "one_hot", [("x", torch.tensor([[0, 3], [1, 1]]))], F.one_hot, num_classes=-1))
    cs.append(case("one_hot/given", "one_hot", [("x", torch.tensor([2, 0]))], lambda v: F.one_hot(v, 5), num_classes=5))
    bnd = torch.tensor([-1.0, 0.0, 0.0, 1.5, 3.0])
    vals = torch.tensor([[-2.0, -1.0, 0.0], [0.5, 1.5, 9.0], [math.nan, 3.0, -1.0]])
    for right in (False, True):
        cs.append(case(f"bucketize/right{int(right)}", "bucketize", [("x", vals), ("b", bnd)],
                       lambda v, b, r=right: torch.bucketize(v, b, right=r), right=right, out_int32=False))
        cs.append(case(f"searchsorted/1d/right{int(right)}", "searchsorted", [("s", bnd), ("v", vals)],
                       lambda s, v, r=right: torch.searchsorted(s, v, right=r), right=right, out_int32=False))
    seq2 = torch.tensor([[1, 3, 5, 7], [0, 2, 2, 9]])
    cs.append(case("searchsorted/2d_int32out", "searchsorted", [("s", seq2), ("v", torch.tensor([[0, 3, 8], [2, 2, 10]]))],
                   lambda s, v: torch.searchsorted(s, v, out_int32=True), right=False, out_int32=True))
    cs.append(case("searchsorted/promote", "searchsorted", [("s", torch.tensor([1, 2, 3])),
                                                            ("v", torch.tensor([1.5, 2.0]))],
                   lambda s, v: torch.searchsorted(s, v), right=False, out_int32=False))
    return cs


def generate():
    cases = index_cases() + select_cases() + join_cases() + pad_cases() + sort_cases()
    return {"torch_version": torch.__version__, "cases": cases}


if __name__ == "__main__":
    import json
    import os
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "index.json")
    with open(out, "w") as f:
        json.dump(generate(), f)
