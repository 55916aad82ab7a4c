"""Golden cases for tests/nn/*_test.cpp (nn-core: layers, activations, dropout, embeddings, losses, init gains).

generate() -> {"cases": [...]} in the format documented in tests/support/golden.h.

Each case: attrs["op"] names what the C++ test calls (a functional op such as "cross_entropy", or a module
such as "Linear"), attrs["inputs"] lists the input tensor names in call order, attrs["diff"] the inputs (and
module parameters) whose gradients are stored, attrs["kw"] holds keyword arguments. Tensors:
  <input names>      the inputs (module parameters too: "weight", "bias" are loaded into the module)
  "out"              the result
  "gout"             the seed gradient: the test backpropagates sum(out * gout)
  "grad_<name>"      d sum(out * gout) / d <name> for every name in attrs["diff"]
Values are float64 unless the name ends in /f32. Module cases also record attrs["ctor"] (constructor
arguments). Random tensors come from a seeded generator, so the file is reproducible.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int8: "int8", torch.uint8: "uint8", torch.int32: "int32", torch.int64: "int64", torch.bool: "bool",
}

_gen = torch.Generator().manual_seed(20240605)


def encode(t):
    t = t.detach().contiguous()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        elif isinstance(v, float):
            v = float(f"{v:.17g}")
        data.append(v)
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def randn(*shape, dtype=torch.float64):
    return torch.randn(tuple(shape), generator=_gen, dtype=torch.float64).to(dtype)


def rand(*shape, dtype=torch.float64):
    return torch.rand(tuple(shape), generator=_gen, dtype=torch.float64).to(dtype)


def randint(lo, hi, shape):
    return torch.randint(lo, hi, shape, generator=_gen)


def run_case(name, op, inputs, fn, diff, kw=None, extra_attrs=None, params=None):
    """inputs: list of (name, tensor); params: list of (name, tensor) module parameters; diff: names to differentiate."""
    kw = kw or {}
    params = params or []
    leaves = {}
    views = []
    for k, x in inputs + params:
        x = x.clone()
        if k in diff:
            x.requires_grad_(True)
        leaves[k] = x
    for k, _ in inputs:
        views.append(leaves[k])
    out = fn(*views, **{k: leaves[k] for k, _ in params})
    gout = randn(*out.shape, dtype=out.dtype) if out.dtype.is_floating_point else None
    tensors = {k: encode(v) for k, v in [(k, leaves[k]) for k, _ in inputs + params]}
    tensors["out"] = encode(out)
    if diff:
        (out * gout).sum().backward()
        tensors["gout"] = encode(gout)
        for k in diff:
            g = leaves[k].grad
            tensors["grad_" + k] = encode(g if g is not None else torch.zeros_like(leaves[k]))
    attrs = {"op": op, "inputs": [k for k, _ in inputs], "params": [k for k, _ in params], "diff": list(diff),
             "kw": kw}
    if extra_attrs:
        attrs.update(extra_attrs)
    return {"name": name, "attrs": attrs, "tensors": tensors}


# ---- layers ------------------------------------------------------------------------------------------

def layer_cases():
    cs = []
    # Linear via the functional form and via the module (parameters loaded from the JSON).
    x, w, b = randn(4, 3), randn(5, 3), randn(5)
    cs.append(run_case("linear/2d", "linear", [("x", x), ("weight", w), ("bias", b)],
                       lambda x, weight, bias: F.linear(x, weight, bias), ["x", "weight", "bias"]))
    x3 = randn(2, 3, 3)
    cs.append(run_case("linear/3d_nobias", "linear", [("x", x3), ("weight", w)],
                       lambda x, weight: F.linear(x, weight), ["x", "weight"]))
    lin = lambda x, weight, bias: F.linear(x, weight, bias)
    cs.append(run_case("Linear/module", "Linear", [("x", randn(6, 3))], lin, ["x", "weight", "bias"],
                       params=[("weight", randn(2, 3)), ("bias", randn(2))], extra_attrs={"ctor": [3, 2]}))
    xf, wf, bf = randn(4, 3, dtype=torch.float32), randn(5, 3, dtype=torch.float32), randn(5, dtype=torch.float32)
    cs.append(run_case("linear/2d/f32", "linear", [("x", xf), ("weight", wf), ("bias", bf)],
                       lambda x, weight, bias: F.linear(x, weight, bias), ["x", "weight", "bias"]))
    # Bilinear.
    x1, x2, wb, bb = randn(4, 3), randn(4, 2), randn(5, 3, 2), randn(5)
    cs.append(run_case("bilinear/2d", "bilinear", [("x1", x1), ("x2", x2), ("weight", wb), ("bias", bb)],
                       lambda x1, x2, weight, bias: F.bilinear(x1, x2, weight, bias), ["x1", "x2", "weight", "bias"]))
    cs.append(run_case("bilinear/3d", "bilinear", [("x1", randn(2, 2, 3)), ("x2", randn(2, 2, 2)), ("weight", wb)],
                       lambda x1, x2, weight: F.bilinear(x1, x2, weight), ["x1", "x2", "weight"]))
    # PReLU with per-channel weights on (N, C, L) and a shared weight.
    cs.append(run_case("prelu/channels", "prelu", [("x", randn(2, 3, 4)), ("weight", rand(3))],
                       lambda x, weight: F.prelu(x, weight), ["x", "weight"]))
    cs.append(run_case("prelu/shared", "prelu", [("x", randn(5)), ("weight", rand(1))],
                       lambda x, weight: F.prelu(x, weight), ["x", "weight"]))
    # Activations (functional names match nn::functional).
    xa = randn(3, 4) * 3
    acts = [
        ("relu", {}, F.relu), ("relu6", {}, F.relu6), ("leaky_relu", {"negative_slope": 0.2},
                                                        lambda x: F.leaky_relu(x, 0.2)),
        ("elu", {"alpha": 0.7}, lambda x: F.elu(x, 0.7)), ("selu", {}, F.selu),
        ("celu", {"alpha": 1.3}, lambda x: F.celu(x, 1.3)), ("gelu", {"approximate": "none"}, F.gelu),
        ("gelu_tanh", {"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh")), ("silu", {}, F.silu),
        ("sigmoid", {}, torch.sigmoid), ("tanh", {}, torch.tanh),
        ("softplus", {"beta": 2.0, "threshold": 3.0}, lambda x: F.softplus(x, 2.0, 3.0)), ("mish", {}, F.mish),
        ("hardtanh", {"min_val": -0.5, "max_val": 2.0}, lambda x: F.hardtanh(x, -0.5, 2.0)),
        ("hardsigmoid", {}, F.hardsigmoid), ("hardswish", {}, F.hardswish), ("softsign", {}, F.softsign),
        ("tanhshrink", {}, F.tanhshrink), ("logsigmoid", {}, F.logsigmoid),
        ("threshold", {"threshold": 0.5, "value": -2.0}, lambda x: F.threshold(x, 0.5, -2.0)),
        ("hardshrink", {"lambd": 0.6}, lambda x: F.hardshrink(x, 0.6)),
        ("softshrink", {"lambd": 0.6}, lambda x: F.softshrink(x, 0.6)),
        ("softmax", {"dim": 1}, lambda x: F.softmax(x, 1)), ("log_softmax", {"dim": 0}, lambda x: F.log_softmax(x, 0)),
        ("softmin", {"dim": 1}, lambda x: F.softmin(x, 1)), ("glu", {"dim": 1}, lambda x: F.glu(x, 1)),
        ("normalize", {"p": 2.0, "dim": 1}, lambda x: F.normalize(x, 2.0, 1)),
    ]
    for nm, kw, fn in acts:
        cs.append(run_case(f"act/{nm}", "act", [("x", xa)], fn, ["x"], kw={"fn": nm, **kw}))
    xaf = xa.float()
    for nm, kw, fn in acts[:12]:
        cs.append(run_case(f"act/{nm}/f32", "act", [("x", xaf)], fn, ["x"], kw={"fn": nm, **kw}))
    return cs


# ---- embeddings --------------------------------------------------------------------------------------

def embedding_cases():
    cs = []
    w = randn(7, 3)
    idx = torch.tensor([[0, 2, 4], [4, 6, 2]])
    cs.append(run_case("embedding/plain", "embedding", [("indices", idx), ("weight", w)],
                       lambda indices, weight: F.embedding(indices, weight), ["weight"]))
    cs.append(run_case("embedding/padding", "embedding", [("indices", idx), ("weight", w)],
                       lambda indices, weight: F.embedding(indices, weight, padding_idx=2), ["weight"],
                       kw={"padding_idx": 2}))
    cs.append(run_case("embedding/freq", "embedding", [("indices", idx), ("weight", w)],
                       lambda indices, weight: F.embedding(indices, weight, scale_grad_by_freq=True), ["weight"],
                       kw={"scale_grad_by_freq": True}))
    # max_norm renormalises the weight rows in place; record the weight after the call.
    wm = randn(7, 3) * 2
    wm_after = wm.clone()
    out = F.embedding(idx, wm_after, max_norm=1.5)
    cs.append({"name": "embedding/max_norm", "attrs": {"op": "embedding_max_norm", "kw": {"max_norm": 1.5}},
               "tensors": {"indices": encode(idx), "weight": encode(wm), "out": encode(out),
                           "weight_after": encode(wm_after)}})
    # EmbeddingBag.
    wb = randn(10, 4)
    flat = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9, 0])
    offsets = torch.tensor([0, 4, 4, 6])  # bag 1 is empty
    for mode in ("sum", "mean", "max"):
        cs.append(run_case(f"embedding_bag/{mode}/offsets", "embedding_bag",
                           [("indices", flat), ("weight", wb), ("offsets", offsets)],
                           lambda indices, weight, offsets, mode=mode: F.embedding_bag(indices, weight, offsets,
                                                                                       mode=mode),
                           ["weight"], kw={"mode": mode}))
    idx2 = torch.tensor([[1, 2, 4], [4, 3, 9]])
    cs.append(run_case("embedding_bag/mean/2d_padding", "embedding_bag", [("indices", idx2), ("weight", wb)],
                       lambda indices, weight: F.embedding_bag(indices, weight, mode="mean", padding_idx=4),
                       ["weight"], kw={"mode": "mean", "padding_idx": 4}))
    psw = randn(9)
    cs.append(run_case("embedding_bag/sum/psw", "embedding_bag",
                       [("indices", flat), ("weight", wb), ("offsets", offsets), ("per_sample_weights", psw)],
                       lambda indices, weight, offsets, per_sample_weights: F.embedding_bag(
                           indices, weight, offsets, mode="sum", per_sample_weights=per_sample_weights),
                       ["weight", "per_sample_weights"], kw={"mode": "sum"}))
    last = torch.tensor([0, 3, 9])
    cs.append(run_case("embedding_bag/sum/last_offset", "embedding_bag",
                       [("indices", flat), ("weight", wb), ("offsets", last)],
                       lambda indices, weight, offsets: F.embedding_bag(indices, weight, offsets, mode="sum",
                                                                        include_last_offset=True),
                       ["weight"], kw={"mode": "sum", "include_last_offset": True}))
    return cs


# ---- losses ------------------------------------------------------------------------------------------

def loss_cases():
    cs = []
    R = ("none", "mean", "sum")
    x, t = randn(4, 5), randn(4, 5)
    for red in R:
        cs.append(run_case(f"mse_loss/{red}", "mse_loss", [("input", x), ("target", t)],
                           lambda input, target, red=red: F.mse_loss(input, target, reduction=red),
                           ["input", "target"], kw={"reduction": red}))
        cs.append(run_case(f"l1_loss/{red}", "l1_loss", [("input", x), ("target", t)],
                           lambda input, target, red=red: F.l1_loss(input, target, reduction=red),
                           ["input", "target"], kw={"reduction": red}))
        cs.append(run_case(f"smooth_l1_loss/{red}", "smooth_l1_loss", [("input", x), ("target", t)],
                           lambda input, target, red=red: F.smooth_l1_loss(input, target, reduction=red, beta=0.7),
                           ["input", "target"], kw={"reduction": red, "beta": 0.7}))
        cs.append(run_case(f"huber_loss/{red}", "huber_loss", [("input", x), ("target", t)],
                           lambda input, target, red=red: F.huber_loss(input, target, reduction=red, delta=0.6),
                           ["input", "target"], kw={"reduction": red, "delta": 0.6}))
    cs.append(run_case("mse_loss/mean/f32", "mse_loss", [("input", x.float()), ("target", t.float())],
                       lambda input, target: F.mse_loss(input, target), ["input", "target"], kw={"reduction": "mean"}))

    # Cross-entropy: indices (2-d and k-d), weights, ignore_index, label smoothing, probabilities.
    logits = randn(6, 5)
    tgt = torch.tensor([0, 4, 2, 2, 1, 3])
    tgt_ign = torch.tensor([0, 4, -100, 2, 1, -100])
    wcls = rand(5) + 0.5
    for red in R:
        cs.append(run_case(f"cross_entropy/idx/{red}", "cross_entropy", [("input", logits), ("target", tgt)],
                           lambda input, target, red=red: F.cross_entropy(input, target, reduction=red),
                           ["input"], kw={"reduction": red}))
        cs.append(run_case(f"cross_entropy/weight_ignore/{red}", "cross_entropy",
                           [("input", logits), ("target", tgt_ign), ("weight", wcls)],
                           lambda input, target, weight, red=red: F.cross_entropy(input, target, weight=weight,
                                                                                  reduction=red),
                           ["input"], kw={"reduction": red}))
        cs.append(run_case(f"cross_entropy/smooth_weight/{red}", "cross_entropy",
                           [("input", logits), ("target", tgt_ign), ("weight", wcls)],
                           lambda input, target, weight, red=red: F.cross_entropy(
                               input, target, weight=weight, reduction=red, label_smoothing=0.2),
                           ["input"], kw={"reduction": red, "label_smoothing": 0.2}))
        cs.append(run_case(f"cross_entropy/smooth/{red}", "cross_entropy", [("input", logits), ("target", tgt_ign)],
                           lambda input, target, red=red: F.cross_entropy(input, target, reduction=red,
                                                                          label_smoothing=0.1),
                           ["input"], kw={"reduction": red, "label_smoothing": 0.1}))
        probs = torch.softmax(randn(6, 5), 1)
        cs.append(run_case(f"cross_entropy/probs/{red}", "cross_entropy",
                           [("input", logits), ("target", probs), ("weight", wcls)],
                           lambda input, target, weight, red=red: F.cross_entropy(
                               input, target, weight=weight, reduction=red, label_smoothing=0.15),
                           ["input", "target"], kw={"reduction": red, "label_smoothing": 0.15}))
    lk = randn(2, 4, 3, 2)
    tk = randint(0, 4, (2, 3, 2))
    tk[0, 1, 1] = 1
    tk[1, 0, 0] = -1
    cs.append(run_case("cross_entropy/kd/mean", "cross_entropy", [("input", lk), ("target", tk)],
                       lambda input, target: F.cross_entropy(input, target, ignore_index=-1),
                       ["input"], kw={"reduction": "mean", "ignore_index": -1}))
    cs.append(run_case("cross_entropy/unbatched", "cross_entropy", [("input", randn(5)), ("target", torch.tensor(3))],
                       lambda input, target: F.cross_entropy(input, target), ["input"], kw={"reduction": "mean"}))
    cs.append(run_case("cross_entropy/idx/mean/f32", "cross_entropy", [("input", logits.float()), ("target", tgt)],
                       lambda input, target: F.cross_entropy(input, target), ["input"], kw={"reduction": "mean"}))
    # NLL.
    lp = torch.log_softmax(randn(6, 5), 1)
    for red in R:
        cs.append(run_case(f"nll_loss/{red}", "nll_loss", [("input", lp), ("target", tgt_ign), ("weight", wcls)],
                           lambda input, target, weight, red=red: F.nll_loss(input, target, weight=weight,
                                                                             reduction=red),
                           ["input"], kw={"reduction": red}))
    # BCE and BCE with logits.
    p = rand(3, 4) * 0.98 + 0.01
    bt = rand(3, 4)
    bw = rand(3, 4) + 0.5
    for red in R:
        cs.append(run_case(f"binary_cross_entropy/{red}", "binary_cross_entropy",
                           [("input", p), ("target", bt), ("weight", bw)],
                           lambda input, target, weight, red=red: F.binary_cross_entropy(input, target, weight,
                                                                                         reduction=red),
                           ["input", "target"], kw={"reduction": red}))
        z = randn(3, 4) * 4
        pw = rand(4) * 2
        cs.append(run_case(f"bce_with_logits/{red}", "binary_cross_entropy_with_logits",
                           [("input", z), ("target", bt), ("weight", bw), ("pos_weight", pw)],
                           lambda input, target, weight, pos_weight, red=red: F.binary_cross_entropy_with_logits(
                               input, target, weight, reduction=red, pos_weight=pos_weight),
                           ["input", "target"], kw={"reduction": red}))
    # Extreme logits (stability) and saturated probabilities (log clamped at -100).
    zbig = torch.tensor([[-800.0, -30.0, 0.0, 30.0, 800.0]], dtype=torch.float64)
    tb = torch.tensor([[1.0, 0.0, 0.5, 1.0, 0.0]], dtype=torch.float64)
    cs.append(run_case("bce_with_logits/extreme", "binary_cross_entropy_with_logits", [("input", zbig), ("target", tb)],
                       lambda input, target: F.binary_cross_entropy_with_logits(input, target, reduction="none"),
                       ["input"], kw={"reduction": "none"}))
    psat = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.3], dtype=torch.float64)
    tsat = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.2], dtype=torch.float64)
    cs.append(run_case("binary_cross_entropy/saturated", "binary_cross_entropy", [("input", psat), ("target", tsat)],
                       lambda input, target: F.binary_cross_entropy(input, target, reduction="none"),
                       ["input"], kw={"reduction": "none"}))
    # KL divergence.
    inp = torch.log_softmax(randn(3, 4), 1)
    tq = torch.softmax(randn(3, 4), 1)
    tq[0, 1] = 0.0
    for red in ("none", "mean", "sum", "batchmean"):
        # The target holds a 0 (value 0 by convention; its derivative is -inf, so only d/d input is stored).
        cs.append(run_case(f"kl_div/{red}", "kl_div", [("input", inp), ("target", tq)],
                           lambda input, target, red=red: F.kl_div(input, target, reduction=red),
                           ["input"], kw={"reduction": red}))
        cs.append(run_case(f"kl_div/log_target/{red}", "kl_div", [("input", inp), ("target", tq.clamp_min(1e-3).log())],
                           lambda input, target, red=red: F.kl_div(input, target, reduction=red, log_target=True),
                           ["input", "target"], kw={"reduction": red, "log_target": True}))
    cs.append(run_case("kl_div/target_grad", "kl_div", [("input", inp), ("target", torch.softmax(randn(3, 4), 1))],
                       lambda input, target: F.kl_div(input, target, reduction="batchmean"),
                       ["input", "target"], kw={"reduction": "batchmean"}))
    # Margin losses.
    a1, a2 = randn(6), randn(6)
    y = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0, -1.0], dtype=torch.float64)
    for red in R:
        cs.append(run_case(f"margin_ranking_loss/{red}", "margin_ranking_loss",
                           [("input1", a1), ("input2", a2), ("target", y)],
                           lambda input1, input2, target, red=red: F.margin_ranking_loss(input1, input2, target,
                                                                                         margin=0.3, reduction=red),
                           ["input1", "input2"], kw={"reduction": red, "margin": 0.3}))
        cs.append(run_case(f"hinge_embedding_loss/{red}", "hinge_embedding_loss", [("input", a1.abs() * 1.5),
                                                                                    ("target", y)],
                           lambda input, target, red=red: F.hinge_embedding_loss(input, target, margin=1.2,
                                                                                 reduction=red),
                           ["input"], kw={"reduction": red, "margin": 1.2}))
        xm = randn(5, 4)
        ym = torch.tensor([0, 3, 1, 1, 2])
        wm = rand(4) + 0.5
        for pp in (1, 2):
            cs.append(run_case(f"multi_margin_loss/p{pp}/{red}", "multi_margin_loss",
                               [("input", xm), ("target", ym), ("weight", wm)],
                               lambda input, target, weight, red=red, pp=pp: F.multi_margin_loss(
                                   input, target, p=pp, margin=0.8, weight=weight, reduction=red),
                               ["input"], kw={"reduction": red, "p": pp, "margin": 0.8}))
        an, po, ne = randn(4, 3), randn(4, 3), randn(4, 3)
        cs.append(run_case(f"triplet_margin_loss/{red}", "triplet_margin_loss",
                           [("anchor", an), ("positive", po), ("negative", ne)],
                           lambda anchor, positive, negative, red=red: F.triplet_margin_loss(
                               anchor, positive, negative, margin=1.5, reduction=red),
                           ["anchor", "positive", "negative"], kw={"reduction": red, "margin": 1.5}))
        c1, c2 = randn(6, 3), randn(6, 3)
        cs.append(run_case(f"cosine_embedding_loss/{red}", "cosine_embedding_loss",
                           [("input1", c1), ("input2", c2), ("target", y)],
                           lambda input1, input2, target, red=red: F.cosine_embedding_loss(
                               input1, input2, target, margin=-0.2, reduction=red),
                           ["input1", "input2"], kw={"reduction": red, "margin": -0.2}))
        cs.append(run_case(f"soft_margin_loss/{red}", "soft_margin_loss", [("input", a1), ("target", y)],
                           lambda input, target, red=red: F.soft_margin_loss(input, target, reduction=red),
                           ["input"], kw={"reduction": red}))
    an, po, ne = randn(4, 3), randn(4, 3), randn(4, 3)
    cs.append(run_case("triplet_margin_loss/swap_p1", "triplet_margin_loss",
                       [("anchor", an), ("positive", po), ("negative", ne)],
                       lambda anchor, positive, negative: F.triplet_margin_loss(anchor, positive, negative, margin=2.0,
                                                                                p=1.0, swap=True),
                       ["anchor", "positive", "negative"], kw={"reduction": "mean", "margin": 2.0, "p": 1.0,
                                                               "swap": True}))
    # Poisson and Gaussian NLL.
    pin, ptg = randn(3, 4), rand(3, 4) * 4
    cs.append(run_case("poisson_nll_loss/log_full", "poisson_nll_loss", [("input", pin), ("target", ptg)],
                       lambda input, target: F.poisson_nll_loss(input, target, log_input=True, full=True),
                       ["input"], kw={"reduction": "mean", "log_input": True, "full": True}))
    cs.append(run_case("poisson_nll_loss/linear", "poisson_nll_loss", [("input", rand(3, 4) + 0.1), ("target", ptg)],
                       lambda input, target: F.poisson_nll_loss(input, target, log_input=False, reduction="sum"),
                       ["input"], kw={"reduction": "sum", "log_input": False, "full": False}))
    gi, gt, gv = randn(4, 3), randn(4, 3), rand(4, 1) + 0.1
    cs.append(run_case("gaussian_nll_loss/full", "gaussian_nll_loss", [("input", gi), ("target", gt), ("var", gv)],
                       lambda input, target, var: F.gaussian_nll_loss(input, target, var, full=True),
                       ["input", "target", "var"], kw={"reduction": "mean", "full": True}))
    # CTC: padded targets, then 1-d concatenated targets with different lengths; grads through log_softmax.
    T, N, C = 6, 3, 5
    logit = randn(T, N, C)
    tp = torch.tensor([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 1, 2]])
    il = torch.tensor([6, 5, 6])
    tl = torch.tensor([3, 2, 3])
    for red in R:
        cs.append(run_case(f"ctc_loss/padded/{red}", "ctc_loss",
                           [("logits", logit), ("targets", tp + (tp == 0).long()), ("input_lengths", il),
                            ("target_lengths", tl)],
                           lambda logits, targets, input_lengths, target_lengths, red=red: F.ctc_loss(
                               logits.log_softmax(2), targets, input_lengths, target_lengths, blank=0, reduction=red),
                           ["logits"], kw={"reduction": red, "blank": 0}))
    tcat = torch.tensor([1, 3, 2, 2, 3, 1, 1])
    cs.append(run_case("ctc_loss/concat_blank4", "ctc_loss",
                       [("logits", logit), ("targets", tcat), ("input_lengths", torch.tensor([6, 6, 4])),
                        ("target_lengths", torch.tensor([2, 3, 2]))],
                       lambda logits, targets, input_lengths, target_lengths: F.ctc_loss(
                           logits.log_softmax(2), targets, input_lengths, target_lengths, blank=4, reduction="mean"),
                       ["logits"], kw={"reduction": "mean", "blank": 4}))
    return cs


def gain_cases():
    names = [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
             ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]
    out = []
    for n, p in names:
        g = nn.init.calculate_gain(n, p)
        out.append({"name": f"gain/{n}/{p}", "attrs": {"op": "calculate_gain", "nonlinearity": n, "param": p,
                                                       "gain": g},
                    "tensors": {"out": encode(torch.tensor(g, dtype=torch.float64))}})
    return out


def generate():
    cases = layer_cases() + embedding_cases() + loss_cases() + gain_cases()
    return {"torch_version": torch.__version__, "cases": cases}


if __name__ == "__main__":
    import json
    import os
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    with open(os.path.join(d, "nn_core.json"), "w") as f:
        json.dump(generate(), f)
