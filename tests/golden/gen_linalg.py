"""Golden cases for tests/ops/linalg_test.cpp and einsum_test.cpp: matrix products and einsum.

generate() -> {"cases": [...]} in the format documented in tests/support/golden.h.
Each case: attrs["op"] names the Fluxion function (matmul, mm, bmm, mv, dot, outer, addmm, addmv,
baddbmm, einsum, tensordot), attrs["inputs"] lists the input tensor names in call order, and
attrs["layouts"][name] says how the C++ test rebuilds a non-contiguous input from the stored one:
  "t"      stored = x.mT().contiguous(); the test passes stored.mT()
  "step2"  stored = a tensor with the last dim doubled; the test passes stored[..., ::2]
  "perm01" stored = x.transpose(0, 1).contiguous(); the test passes stored.transpose(0, 1)
  "expand" stored has size 1 where x is broadcast; the test expands it to attrs["shapes"][name]
Other attrs: beta/alpha, equation, dims_a/dims_b. The result is tensor "out".
Inputs are multiples of 1/4 in [-2, 2], so products are exact in every float dtype and the JSON
stays small; rounding behaviour is tested against the portable reference kernel instead.
"""
import math

import torch

DTYPES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int8: "int8", torch.uint8: "uint8", torch.int32: "int32", torch.int64: "int64", torch.bool: "bool",
}

_gen = torch.Generator().manual_seed(1234)


def encode(t):
    t = t.detach().contiguous()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        data.append(v)
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def rnd(shape, dtype=torch.float32):
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=_gen).bool()
    if dtype == torch.uint8:
        return torch.randint(0, 20, shape, generator=_gen).to(dtype)
    if not dtype.is_floating_point:
        return torch.randint(-9, 10, shape, generator=_gen).to(dtype)
    return (torch.randint(-8, 9, shape, generator=_gen).to(torch.float64) / 4).to(dtype)


def stored(x, layout):
    """The tensor written to JSON for input x under `layout`, and the view the test rebuilds."""
    if layout == "t":
        s = x.mT.contiguous()
        return s, s.mT
    if layout == "step2":
        s = torch.stack([x, torch.full_like(x, 99)], dim=-1).reshape(*x.shape[:-1], 2 * x.shape[-1])
        return s, s[..., ::2]
    if layout == "perm01":
        s = x.transpose(0, 1).contiguous()
        return s, s.transpose(0, 1)
    raise ValueError(layout)


def case(name, op, inputs, fn=None, layouts=None, expand=None, **attrs):
    """inputs: list of (name, tensor). fn computes the expected output from the rebuilt views."""
    layouts = layouts or {}
    expand = expand or {}
    tensors, views, shapes = {}, [], {}
    for key, x in inputs:
        if key in expand:  # x is the small tensor; the view is x.expand(shape)
            tensors[key] = encode(x)
            v = x.expand(*expand[key])
            shapes[key] = list(expand[key])
            layouts[key] = "expand"
        elif key in layouts:
            s, v = stored(x, layouts[key])
            tensors[key] = encode(s)
        else:
            tensors[key] = encode(x)
            v = x
        views.append(v)
    out = fn(*views)
    tensors["out"] = encode(out)
    a = {"op": op, "inputs": [k for k, _ in inputs], "layouts": layouts, **attrs}
    if shapes:
        a["shapes"] = shapes
    return {"name": name, "attrs": a, "tensors": tensors}


def matmul_cases():
    cs = []
    shapes = [
        ("vv", (3,), (3,)), ("mv", (2, 3), (3,)), ("vm", (3,), (3, 4)), ("mm", (2, 3), (3, 4)),
        ("fold_3x2", (2, 2, 3), (3, 4)), ("fold_3x1", (2, 2, 3), (3,)), ("v_x3", (3,), (2, 3, 4)),
        ("m_x3", (2, 3), (5, 3, 4)), ("bcast4x3", (5, 1, 2, 3), (4, 3, 2)), ("bmm", (2, 2, 3), (2, 3, 4)),
        ("bcast1", (1, 2, 3), (4, 3, 5)), ("empty_m", (0, 3), (3, 4)), ("empty_k", (2, 0), (0, 4)),
        ("empty_batch", (0, 2, 3), (3, 4)), ("k1", (3, 1), (1, 2)),
    ]
    for dt in (torch.float32, torch.float64):
        for nm, sa, sb in shapes:
            a, b = rnd(sa, dt), rnd(sb, dt)
            cs.append(case(f"matmul/{DTYPES[dt]}/{nm}", "matmul", [("a", a), ("b", b)], torch.matmul))
    # Non-contiguous operands (transposed, strided, non-foldable batch, broadcast views).
    a, b = rnd((4, 3)), rnd((3, 5))
    cs.append(case("matmul/float32/t_a", "matmul", [("a", a), ("b", b)], torch.matmul, {"a": "t"}))
    cs.append(case("matmul/float32/t_b", "matmul", [("a", a), ("b", b)], torch.matmul, {"b": "t"}))
    cs.append(case("matmul/float32/t_ab", "matmul", [("a", a), ("b", b)], torch.matmul, {"a": "t", "b": "t"}))
    cs.append(case("matmul/float32/step2_ab", "matmul", [("a", a), ("b", b)], torch.matmul,
                   {"a": "step2", "b": "step2"}))
    a3, b2 = rnd((3, 2, 4)), rnd((4, 3))
    cs.append(case("matmul/float32/perm01_nofold", "matmul", [("a", a3), ("b", b2)], torch.matmul, {"a": "perm01"}))
    cs.append(case("matmul/float32/t3_fold", "matmul", [("a", a3), ("b", b2)], torch.matmul, {"a": "t"}))
    a3, b3 = rnd((3, 2, 4), torch.float64), rnd((3, 4, 5), torch.float64)
    cs.append(case("matmul/float64/t3_both", "matmul", [("a", a3), ("b", b3)], torch.matmul, {"a": "t", "b": "t"}))
    v = rnd((1, 4))
    cs.append(case("matmul/float32/expand_a", "matmul", [("a", v), ("b", rnd((4, 3)))], torch.matmul,
                   expand={"a": (5, 4)}))
    w = rnd((4, 1))
    cs.append(case("matmul/float32/expand_b_cols", "matmul", [("a", rnd((2, 4))), ("b", w)], torch.matmul,
                   expand={"b": (4, 3)}))
    bb = rnd((1, 4, 3))
    cs.append(case("matmul/float32/expand_batch", "matmul", [("a", rnd((6, 2, 4))), ("b", bb)], torch.matmul,
                   expand={"b": (6, 4, 3)}))
    vs = rnd((5,))
    cs.append(case("matmul/float32/step2_vec", "matmul", [("a", rnd((3, 5))), ("b", vs)], torch.matmul,
                   {"b": "step2"}))
    # NaN / Inf propagate like BLAS.
    a = rnd((2, 3))
    a[0, 1] = math.nan
    a[1, 2] = math.inf
    cs.append(case("matmul/float32/nonfinite", "matmul", [("a", a), ("b", rnd((3, 2)))], torch.matmul))
    return cs


def dtype_cases():
    cs = []
    for dt in (torch.float16, torch.bfloat16, torch.int8, torch.uint8, torch.int32, torch.int64):
        n = DTYPES[dt]
        cs.append(case(f"mm/{n}", "mm", [("a", rnd((3, 5), dt)), ("b", rnd((5, 4), dt))], torch.mm))
        cs.append(case(f"mm/{n}/t", "mm", [("a", rnd((3, 5), dt)), ("b", rnd((5, 4), dt))], torch.mm,
                       {"a": "t", "b": "t"}))
        cs.append(case(f"bmm/{n}", "bmm", [("a", rnd((2, 3, 5), dt)), ("b", rnd((2, 5, 2), dt))], torch.bmm))
        cs.append(case(f"mv/{n}", "mv", [("a", rnd((3, 5), dt)), ("b", rnd((5,), dt))], torch.mv))
        cs.append(case(f"dot/{n}", "dot", [("a", rnd((7,), dt)), ("b", rnd((7,), dt))], torch.dot))
        cs.append(case(f"matmul/{n}/batched", "matmul", [("a", rnd((2, 3, 5), dt)), ("b", rnd((5,), dt))],
                       torch.matmul))
    # Integer wrap-around matches PyTorch's in-type accumulation.
    cs.append(case("mm/int8/overflow", "mm", [("a", torch.full((2, 4), 100, dtype=torch.int8)),
                                              ("b", torch.full((4, 3), -100, dtype=torch.int8))], torch.mm))
    cs.append(case("mm/uint8/overflow", "mm", [("a", torch.full((1, 4), 200, dtype=torch.uint8)),
                                               ("b", torch.full((4, 1), 201, dtype=torch.uint8))], torch.mm))
    big = torch.full((1, 3), 2**40, dtype=torch.int64)
    cs.append(case("mm/int64/overflow", "mm", [("a", big), ("b", torch.full((3, 1), 2**30, dtype=torch.int64))],
                   torch.mm))
    return cs


def misc_cases():
    cs = []
    f32, f64 = torch.float32, torch.float64
    cs.append(case("mm/float32/t_a", "mm", [("a", rnd((4, 3))), ("b", rnd((3, 6)))], torch.mm, {"a": "t"}))
    cs.append(case("bmm/float64/t_b", "bmm", [("a", rnd((3, 2, 4), f64)), ("b", rnd((3, 4, 5), f64))], torch.bmm,
                   {"b": "t"}))
    cs.append(case("bmm/float32/empty", "bmm", [("a", rnd((0, 2, 4))), ("b", rnd((0, 4, 5)))], torch.bmm))
    cs.append(case("mv/float32/t", "mv", [("a", rnd((4, 3))), ("b", rnd((3,)))], torch.mv, {"a": "t"}))
    cs.append(case("mv/float64/step2", "mv", [("a", rnd((4, 3), f64)), ("b", rnd((3,), f64))], torch.mv,
                   {"a": "step2", "b": "step2"}))
    cs.append(case("dot/float32/step2", "dot", [("a", rnd((6,))), ("b", rnd((6,)))], torch.dot, {"a": "step2"}))
    cs.append(case("dot/float64/empty", "dot", [("a", rnd((0,), f64)), ("b", rnd((0,), f64))], torch.dot))
    cs.append(case("outer/float32", "outer", [("a", rnd((3,))), ("b", rnd((4,)))], torch.outer))
    cs.append(case("outer/promote_int_float", "outer", [("a", rnd((3,), torch.int64)), ("b", rnd((2,)))],
                   torch.outer))
    cs.append(case("outer/bool", "outer", [("a", rnd((3,), torch.bool)), ("b", rnd((2,), torch.bool))], torch.outer))
    # addmm / addmv / baddbmm with beta, alpha, broadcast self and beta = 0 over NaN.
    for dt in (f32, f64):
        n = DTYPES[dt]
        s, m1, m2 = rnd((3, 4), dt), rnd((3, 5), dt), rnd((5, 4), dt)
        cs.append(case(f"addmm/{n}/default", "addmm", [("self", s), ("a", m1), ("b", m2)], torch.addmm,
                       beta=1, alpha=1))
        cs.append(case(f"addmm/{n}/beta_alpha", "addmm", [("self", s), ("a", m1), ("b", m2)],
                       lambda x, y, z: torch.addmm(x, y, z, beta=0.5, alpha=-2.0), beta=0.5, alpha=-2.0))
        cs.append(case(f"addmm/{n}/bcast_self_t", "addmm", [("self", rnd((4,), dt)), ("a", m1), ("b", m2)],
                       lambda x, y, z: torch.addmm(x, y, z, beta=2.0, alpha=0.25), {"a": "t"}, beta=2.0,
                       alpha=0.25))
    snan = torch.full((3, 4), math.nan)
    cs.append(case("addmm/float32/beta0_nan", "addmm", [("self", snan), ("a", rnd((3, 5))), ("b", rnd((5, 4)))],
                   lambda x, y, z: torch.addmm(x, y, z, beta=0.0, alpha=1.5), beta=0.0, alpha=1.5))
    i64 = torch.int64
    cs.append(case("addmm/int64/beta_alpha", "addmm", [("self", rnd((3, 4), i64)), ("a", rnd((3, 5), i64)),
                                                       ("b", rnd((5, 4), i64))],
                   lambda x, y, z: torch.addmm(x, y, z, beta=3, alpha=-2), beta=3, alpha=-2))
    cs.append(case("addmv/float32/beta_alpha", "addmv", [("self", rnd((3,))), ("a", rnd((3, 5))), ("b", rnd((5,)))],
                   lambda x, y, z: torch.addmv(x, y, z, beta=0.5, alpha=2.0), beta=0.5, alpha=2.0))
    cs.append(case("addmv/float64/bcast_self", "addmv", [("self", rnd((1,), f64)), ("a", rnd((3, 5), f64)),
                                                         ("b", rnd((5,), f64))], torch.addmv, beta=1, alpha=1))
    cs.append(case("addmv/float32/beta0_nan", "addmv", [("self", torch.full((3,), math.nan)), ("a", rnd((3, 5))),
                                                        ("b", rnd((5,)))],
                   lambda x, y, z: torch.addmv(x, y, z, beta=0.0), beta=0.0, alpha=1))
    cs.append(case("baddbmm/float32/beta_alpha", "baddbmm", [("self", rnd((2, 3, 4))), ("a", rnd((2, 3, 5))),
                                                             ("b", rnd((2, 5, 4)))],
                   lambda x, y, z: torch.baddbmm(x, y, z, beta=-1.0, alpha=0.5), beta=-1.0, alpha=0.5))
    cs.append(case("baddbmm/float64/bcast_self", "baddbmm", [("self", rnd((3, 1), f64)), ("a", rnd((2, 3, 5), f64)),
                                                             ("b", rnd((2, 5, 4), f64))],
                   lambda x, y, z: torch.baddbmm(x, y, z, beta=2.0), {"b": "t"}, beta=2.0, alpha=1))
    cs.append(case("baddbmm/float32/beta0_nan", "baddbmm", [("self", torch.full((2, 3, 4), math.nan)),
                                                            ("a", rnd((2, 3, 5))), ("b", rnd((2, 5, 4)))],
                   lambda x, y, z: torch.baddbmm(x, y, z, beta=0.0), beta=0.0, alpha=1))
    # tensordot
    a, b = rnd((2, 3, 4)), rnd((4, 3, 5))
    cs.append(case("tensordot/float32/two_dims", "tensordot", [("a", a), ("b", b)],
                   lambda x, y: torch.tensordot(x, y, dims=([1, 2], [1, 0])), dims_a=[1, 2], dims_b=[1, 0]))
    cs.append(case("tensordot/float64/one_dim_neg", "tensordot",
                   [("a", rnd((2, 3), f64)), ("b", rnd((4, 3), f64))],
                   lambda x, y: torch.tensordot(x, y, dims=([-1], [1])), dims_a=[-1], dims_b=[1]))
    cs.append(case("tensordot/float32/outer", "tensordot", [("a", rnd((2,))), ("b", rnd((3,)))],
                   lambda x, y: torch.tensordot(x, y, dims=([], [])), dims_a=[], dims_b=[]))
    return cs


def einsum_cases():
    cs = []
    f32, f64 = torch.float32, torch.float64

    def ein(name, eq, shapes, dt=f32, layouts=None):
        ins = [(f"x{i}", rnd(s, dt)) for i, s in enumerate(shapes)]
        cs.append(case(f"einsum/{name}", "einsum", ins, lambda *xs: torch.einsum(eq, *xs), layouts,
                       equation=eq))

    ein("matmul", "ij,jk->ik", [(3, 4), (4, 5)])
    ein("matmul_f64_t", "ij,jk->ik", [(3, 4), (4, 5)], f64, {"x0": "t"})
    ein("batch_matmul", "bij,bjk->bik", [(2, 3, 4), (2, 4, 5)])
    ein("transpose", "ij->ji", [(3, 4)])
    ein("trace", "ii->", [(4, 4)])
    ein("diagonal", "ii->i", [(4, 4)])
    ein("batch_diagonal", "bii->bi", [(2, 3, 3)])
    ein("outer", "i,j->ij", [(3,), (4,)])
    ein("sum", "ij->", [(3, 4)])
    ein("row_sum", "ij->i", [(3, 4)])
    ein("inner", "i,i->", [(5,)] * 2)
    ein("bilinear", "bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)])
    ein("bilinear_f64", "bn,anm,bm->ba", [(3, 2), (2, 2, 4), (3, 4)], f64)
    ein("implicit_matmul", "ij,jk", [(3, 4), (4, 2)])
    ein("implicit_transpose", "ji", [(3, 4)])
    ein("implicit_trace", "ii", [(3, 3)])
    ein("implicit_upper", "Ba,aC", [(2, 3), (3, 4)])
    ein("ellipsis_matmul", "...ij,...jk->...ik", [(2, 3, 4), (4, 5)])
    ein("ellipsis_bcast", "...ij,...jk->...ik", [(2, 1, 3, 4), (3, 4, 2)])
    ein("ellipsis_implicit", "...ij", [(2, 3, 4)])
    ein("ellipsis_summed", "...ij->ij", [(4, 2, 3)])
    ein("ellipsis_middle", "a...b->b...a", [(2, 3, 4, 5)])
    ein("ellipsis_empty", "...ij,...jk->...ik", [(3, 4), (4, 5)])
    ein("hadamard_bcast", "ij,ij->ij", [(1, 3), (2, 3)])
    ein("three_way", "ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)])
    ein("spaces", "ij, jk -> ik", [(2, 3), (3, 2)])
    ein("repeated_mixed", "iij,jk->ik", [(3, 3, 4), (4, 2)])
    ein("sum_one_side", "ij,k->ik", [(2, 3), (4,)])
    ein("attention", "bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)])
    ein("empty_contract", "ij,jk->ik", [(2, 0), (0, 3)])
    ein("int64_matmul", "ij,jk->ik", [(2, 3), (3, 2)], torch.int64)
    ein("scalar_operands", ",->", [(), ()])
    return cs


def generate():
    return {"torch_version": torch.__version__,
            "cases": matmul_cases() + dtype_cases() + misc_cases() + einsum_cases()}


if __name__ == "__main__":
    import json
    import os
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "linalg.json")
    with open(out, "w") as f:
        json.dump(generate(), f, separators=(",", ":"))
    print(out, os.path.getsize(out), "bytes")
