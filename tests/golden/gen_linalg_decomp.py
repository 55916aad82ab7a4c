"""Golden cases for tests/ops/linalg_decomp_test.cpp: fx::linalg (torch.linalg) decompositions,
solvers and norms.

generate() -> {"cases": [...]} in the format documented in tests/support/golden.h.
Each case: attrs["op"] names the fx::linalg function, attrs["inputs"] the input tensors in call
order, attrs["outputs"] the output tensors in result order, and the op's options (full_matrices,
UPLO, mode, upper, left, unitriangular, hermitian, rcond, driver, ord, dim, keepdim).
attrs["layouts"][name] == "t" means the stored tensor is x.mT.contiguous() and the test passes
stored.mT (a non-contiguous input). Inputs are seeded normal samples, made well conditioned where
the op needs it (positive-definite for cholesky, diagonally dominant for solves).

Decompositions are unique only up to signs: the C++ test compares singular values, eigenvalues
and the reconstruction exactly, and singular/eigen vectors and QR factors after fixing signs.
"""
import math

import torch

DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}

_gen = torch.Generator().manual_seed(20261128)


def encode(t):
    t = t.detach().contiguous()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float):
            if not math.isfinite(v):
                v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
            else:
                v = float("%.17g" % v) if t.dtype == torch.float64 else float("%.9g" % v)
        data.append(v)
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def rnd(shape, dt=torch.float64):
    return torch.randn(shape, generator=_gen, dtype=torch.float64).to(dt)


def spd(shape, dt=torch.float64):
    x = rnd(shape)
    n = shape[-1]
    return (x @ x.mT + n * torch.eye(n, dtype=torch.float64)).to(dt)


def dominant(shape, dt=torch.float64):
    x = rnd(shape)
    n = shape[-1]
    return (x + 2 * n * torch.eye(n, dtype=torch.float64)).to(dt)


def case(name, op, inputs, outputs, fn, layouts=None, **attrs):
    """inputs: list of (name, tensor); fn(*views) returns a tensor or tuple named by `outputs`."""
    layouts = layouts or {}
    tensors, views = {}, []
    for key, x in inputs:
        if layouts.get(key) == "t":
            s = x.mT.contiguous()
            tensors[key] = encode(s)
            views.append(s.mT)
        else:
            tensors[key] = encode(x)
            views.append(x)
    out = fn(*views)
    if not isinstance(out, (tuple, list)):
        out = (out,)
    assert len(out) == len(outputs), name
    for k, v in zip(outputs, out):
        tensors[k] = encode(v)
    a = {"op": op, "inputs": [k for k, _ in inputs], "outputs": outputs, "layouts": layouts, **attrs}
    return {"name": name, "attrs": a, "tensors": tensors}


def decomposition_cases():
    cs = []
    L = torch.linalg
    for dt in (torch.float32, torch.float64):
        n = DTYPES[dt]
        for shp in [(3, 3), (4, 2), (2, 5), (2, 3, 4)]:
            s = "x".join(map(str, shp))
            A = rnd(shp, dt)
            for full in (False, True):
                cs.append(case(f"svd/{n}/{s}/full{int(full)}", "svd", [("A", A)], ["U", "S", "Vh"],
                               lambda a, f=full: L.svd(a, full_matrices=f), full_matrices=full))
            cs.append(case(f"svdvals/{n}/{s}", "svdvals", [("A", A)], ["S"], L.svdvals))
            for mode in ("reduced", "complete", "r"):
                cs.append(case(f"qr/{n}/{s}/{mode}", "qr", [("A", A)], ["Q", "R"],
                               lambda a, md=mode: L.qr(a, mode=md), mode=mode))
            cs.append(case(f"pinv/{n}/{s}", "pinv", [("A", A)], ["out"], L.pinv))
        A = rnd((5, 3), dt)
        cs.append(case(f"svd/{n}/t5x3", "svd", [("A", A)], ["U", "S", "Vh"],
                       lambda a: L.svd(a, full_matrices=False), {"A": "t"}, full_matrices=False))
        cs.append(case(f"qr/{n}/t5x3", "qr", [("A", A)], ["Q", "R"], L.qr, {"A": "t"}, mode="reduced"))
        # eigh of a non-symmetric input: UPLO decides which triangle is read.
        for shp in [(4, 4), (2, 3, 3)]:
            s = "x".join(map(str, shp))
            A = rnd(shp, dt)
            for uplo in ("L", "U"):
                cs.append(case(f"eigh/{n}/{s}/{uplo}", "eigh", [("A", A)], ["L", "V"],
                               lambda a, u=uplo: L.eigh(a, UPLO=u), UPLO=uplo))
                cs.append(case(f"eigvalsh/{n}/{s}/{uplo}", "eigvalsh", [("A", A)], ["L"],
                               lambda a, u=uplo: L.eigvalsh(a, UPLO=u), UPLO=uplo))
            P = spd(shp, dt)
            for upper in (False, True):
                cs.append(case(f"cholesky/{n}/{s}/upper{int(upper)}", "cholesky", [("A", P)], ["out"],
                               lambda a, u=upper: L.cholesky(a, upper=u), upper=upper))
            cs.append(case(f"pinv/{n}/{s}/hermitian", "pinv", [("A", P)], ["out"],
                           lambda a: L.pinv(a, hermitian=True), hermitian=True))
        A = rnd((4, 4), dt)
        cs.append(case(f"eigh/{n}/t4x4", "eigh", [("A", A)], ["L", "V"], L.eigh, {"A": "t"}, UPLO="L"))
        cs.append(case(f"cholesky/{n}/t4x4", "cholesky", [("A", spd((4, 4), dt))], ["out"], L.cholesky, {"A": "t"},
                       upper=False))
    return cs


def solver_cases():
    cs = []
    L = torch.linalg
    for dt in (torch.float32, torch.float64):
        n = DTYPES[dt]
        for shp in [(3, 3), (2, 4, 4)]:
            s = "x".join(map(str, shp))
            A = dominant(shp, dt)
            R = rnd(shp, dt)
            cs.append(case(f"inv/{n}/{s}", "inv", [("A", A)], ["out"], L.inv))
            cs.append(case(f"det/{n}/{s}", "det", [("A", R)], ["out"], L.det))
            cs.append(case(f"slogdet/{n}/{s}", "slogdet", [("A", R)], ["sign", "logabsdet"], L.slogdet))
        A = dominant((4, 4), dt)
        cs.append(case(f"inv/{n}/t", "inv", [("A", A)], ["out"], L.inv, {"A": "t"}))
        cs.append(case(f"det/{n}/t", "det", [("A", rnd((4, 4), dt))], ["out"], L.det, {"A": "t"}))
        cs.append(case(f"det/{n}/singular", "det", [("A", torch.tensor([[1., 2.], [2., 4.]], dtype=dt))], ["out"],
                       L.det))
        # solve: matrix rhs, vector rhs, batched vectors, broadcast batch, left=False, transposed A.
        A3, A23 = dominant((3, 3), dt), dominant((2, 3, 3), dt)
        cs.append(case(f"solve/{n}/matrix", "solve", [("A", A3), ("B", rnd((3, 2), dt))], ["out"], L.solve,
                       left=True))
        cs.append(case(f"solve/{n}/vector", "solve", [("A", A3), ("B", rnd((3,), dt))], ["out"], L.solve, left=True))
        cs.append(case(f"solve/{n}/batched_vectors", "solve", [("A", A23), ("B", rnd((2, 3), dt))], ["out"], L.solve,
                       left=True))
        cs.append(case(f"solve/{n}/broadcast", "solve", [("A", A23), ("B", rnd((3, 4), dt))], ["out"], L.solve,
                       left=True))
        cs.append(case(f"solve/{n}/broadcast_A", "solve", [("A", A3), ("B", rnd((2, 3, 1), dt))], ["out"], L.solve,
                       left=True))
        cs.append(case(f"solve/{n}/right", "solve", [("A", A3), ("B", rnd((2, 3), dt))], ["out"],
                       lambda a, b: L.solve(a, b, left=False), left=False))
        cs.append(case(f"solve/{n}/t", "solve", [("A", A3), ("B", rnd((3, 2), dt))], ["out"], L.solve,
                       {"A": "t", "B": "t"}, left=True))
        for upper in (False, True):
            for left in (True, False):
                for unit in (False, True):
                    T = dominant((2, 3, 3), dt)
                    B = rnd((2, 3, 2) if left else (2, 2, 3), dt)
                    cs.append(case(f"solve_triangular/{n}/u{int(upper)}l{int(left)}unit{int(unit)}",
                                   "solve_triangular", [("A", T), ("B", B)], ["out"],
                                   lambda a, b, u=upper, l=left, un=unit: L.solve_triangular(
                                       a, b, upper=u, left=l, unitriangular=un),
                                   upper=upper, left=left, unitriangular=unit))
        # lstsq: tall full-rank (residuals with gelsd), wide, batched, vector rhs, rank-deficient.
        for drv in ("gelsd", "gelsy"):
            cs.append(case(f"lstsq/{n}/tall/{drv}", "lstsq", [("A", rnd((5, 3), dt)), ("B", rnd((5, 2), dt))],
                           ["solution", "residuals", "rank", "singular_values"],
                           lambda a, b, d=drv: tuple(L.lstsq(a, b, driver=d)), driver=drv))
        cs.append(case(f"lstsq/{n}/wide", "lstsq", [("A", rnd((2, 4), dt)), ("B", rnd((2, 3), dt))],
                       ["solution", "residuals", "rank", "singular_values"],
                       lambda a, b: tuple(L.lstsq(a, b, driver="gelsd")), driver="gelsd"))
        cs.append(case(f"lstsq/{n}/batched", "lstsq", [("A", rnd((2, 4, 3), dt)), ("B", rnd((2, 4, 1), dt))],
                       ["solution", "residuals", "rank", "singular_values"],
                       lambda a, b: tuple(L.lstsq(a, b, driver="gelsd")), driver="gelsd"))
        D = rnd((4, 2), torch.float64)
        deficient = torch.cat([D, D[:, :1] * 2], dim=1).to(dt)  # rank 2 of 3 columns
        cs.append(case(f"lstsq/{n}/rank_deficient", "lstsq", [("A", deficient), ("B", rnd((4, 2), dt))],
                       ["solution", "residuals", "rank", "singular_values"],
                       lambda a, b: tuple(L.lstsq(a, b, driver="gelsd")), driver="gelsd"))
        cs.append(case(f"matrix_rank/{n}", "matrix_rank", [("A", deficient)], ["out"], L.matrix_rank))
        cs.append(case(f"pinv/{n}/rank_deficient", "pinv", [("A", deficient)], ["out"], L.pinv))
    return cs


def norm_cases():
    cs = []
    L = torch.linalg
    for dt in (torch.float32, torch.float64):
        n = DTYPES[dt]
        x = rnd((3, 4), dt)
        x[0, 1] = 0
        for ord_ in (2, 1, 3, 0.5, 0, math.inf, -math.inf):
            o = ord_ if math.isfinite(ord_) else ("inf" if ord_ > 0 else "-inf")
            cs.append(case(f"vector_norm/{n}/all/{o}", "vector_norm", [("x", x)], ["out"],
                           lambda a, p=ord_: L.vector_norm(a, ord=p), ord=o))
            cs.append(case(f"vector_norm/{n}/dim1_keep/{o}", "vector_norm", [("x", x)], ["out"],
                           lambda a, p=ord_: L.vector_norm(a, ord=p, dim=1, keepdim=True), ord=o, dim=[1],
                           keepdim=True))
        A = rnd((2, 3, 4), dt)
        for ord_ in ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf):
            o = ord_ if not isinstance(ord_, float) or math.isfinite(ord_) else ("inf" if ord_ > 0 else "-inf")
            cs.append(case(f"matrix_norm/{n}/{o}", "matrix_norm", [("x", A)], ["out"],
                           lambda a, p=ord_: L.matrix_norm(a, ord=p), ord=o, dim=[-2, -1], keepdim=False))
            cs.append(case(f"matrix_norm/{n}/{o}/dim02_keep", "matrix_norm", [("x", A)], ["out"],
                           lambda a, p=ord_: L.matrix_norm(a, ord=p, dim=(0, 2), keepdim=True), ord=o, dim=[0, 2],
                           keepdim=True))
        cs.append(case(f"matrix_norm/{n}/t", "matrix_norm", [("x", rnd((4, 3), dt))], ["out"],
                       lambda a: L.matrix_norm(a, ord=2), {"x": "t"}, ord=2, dim=[-2, -1], keepdim=False))
        for p in (None, 2, -2, 1, -1, math.inf, -math.inf, "fro", "nuc"):
            o = p if not isinstance(p, float) or math.isfinite(p) else ("inf" if p > 0 else "-inf")
            extra = {} if p is None else {"ord": o}
            cs.append(case(f"cond/{n}/{o}", "cond", [("x", dominant((2, 3, 3), dt))], ["out"],
                           lambda a, q=p: L.cond(a, q), **extra))
        cs.append(case(f"cond/{n}/wide", "cond", [("x", rnd((2, 4), dt))], ["out"], L.cond))
        cs.append(case(f"norm/{n}/default", "norm", [("x", A)], ["out"], L.norm))
        cs.append(case(f"norm/{n}/vec_ord", "norm", [("x", rnd((5,), dt))], ["out"], lambda a: L.norm(a, 3), ord=3))
        cs.append(case(f"norm/{n}/mat_ord", "norm", [("x", x)], ["out"], lambda a: L.norm(a, -1), ord=-1))
        cs.append(case(f"norm/{n}/mat_nuc", "norm", [("x", x)], ["out"], lambda a: L.norm(a, "nuc"), ord="nuc"))
        cs.append(case(f"norm/{n}/dim1", "norm", [("x", A)], ["out"], lambda a: L.norm(a, dim=1), dim=[1]))
        cs.append(case(f"norm/{n}/dim12_inf", "norm", [("x", A)], ["out"], lambda a: L.norm(a, math.inf, dim=(1, 2)),
                       ord="inf", dim=[1, 2]))
    return cs


def generate():
    return {"cases": decomposition_cases() + solver_cases() + norm_cases()}
