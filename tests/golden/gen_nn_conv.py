"""Golden cases for tests/nn conv/pooling/normalization/upsample: outputs and gradients from PyTorch.

generate() -> {"cases": [...]} in the format documented in tests/support/golden.h.
Every case stores its inputs (x, w, b, ...), the output "y" and, for an upstream gradient "gy",
the gradients "gx", "gw", "gb" (when the input is differentiable). attrs["op"] names the
Fluxion function and the remaining attrs are its arguments.
"""
import math

import torch
import torch.nn.functional as F

DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}


def encode(t):
    t = t.detach().contiguous()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        elif isinstance(v, float) and t.dtype == torch.float32:
            v = float("%.9g" % v)  # round-trips float32 exactly, half the JSON size of repr(double)
        data.append(v)
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


GEN = torch.Generator().manual_seed(1234)


def rnd(*shape, dtype=torch.float32):
    return torch.randn(*shape, generator=GEN, dtype=dtype)


def with_grads(name, attrs, inputs, fn, extra=None):
    """inputs: dict name -> tensor (float ones get gradients named 'g' + name)."""
    leaves = {}
    for k, v in inputs.items():
        leaves[k] = v.clone().requires_grad_(v.is_floating_point())
    out = fn(**leaves)
    y = out[0] if isinstance(out, tuple) else out
    gy = rnd(*y.shape, dtype=y.dtype)
    diff = [k for k, v in leaves.items() if v.requires_grad]
    grads = torch.autograd.grad(y, [leaves[k] for k in diff], gy, allow_unused=True)
    tensors = {k: encode(v) for k, v in inputs.items()}
    tensors["y"] = encode(y)
    tensors["gy"] = encode(gy)
    for k, g in zip(diff, grads):
        if g is not None:
            tensors["g" + k] = encode(g)
    if isinstance(out, tuple):
        tensors["indices"] = encode(out[1])
    if extra:
        for k, v in extra.items():
            tensors[k] = encode(v)
    return {"name": name, "attrs": attrs, "tensors": tensors}


def conv_cases():
    cases = []

    def conv(name, nd, xs, ws, bias=True, stride=1, padding=0, dilation=1, groups=1, dtype=torch.float32):
        x, w = rnd(*xs, dtype=dtype), rnd(*ws, dtype=dtype)
        inputs = {"x": x, "w": w}
        if bias:
            inputs["b"] = rnd(ws[0], dtype=dtype)
        f = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
        attrs = {"op": f"conv{nd}d", "stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
        cases.append(with_grads(name, attrs, inputs,
                                lambda x, w, b=None: f(x, w, b, stride=stride, padding=padding, dilation=dilation,
                                                       groups=groups)))

    conv("conv2d/basic", 2, (2, 3, 7, 6), (4, 3, 3, 2), stride=[2, 1], padding=[1, 0], dilation=[1, 2])
    conv("conv2d/nobias", 2, (2, 3, 5, 5), (2, 3, 3, 3), bias=False, padding=1)
    conv("conv2d/groups", 2, (1, 4, 6, 5), (6, 2, 3, 3), groups=2, padding=1)
    conv("conv2d/depthwise", 2, (2, 3, 6, 6), (6, 1, 3, 3), groups=3, stride=2)
    conv("conv2d/same_even_kernel", 2, (1, 2, 5, 6), (3, 2, 4, 3), padding="same", dilation=[1, 2])
    conv("conv2d/valid", 2, (1, 2, 5, 5), (2, 2, 3, 3), padding="valid")
    conv("conv2d/pointwise", 2, (2, 5, 4, 3), (3, 5, 1, 1))
    conv("conv2d/f64", 2, (1, 2, 4, 4), (3, 2, 2, 2), padding=1, dtype=torch.float64)
    conv("conv2d/lenet_like", 2, (1, 1, 8, 8), (6, 1, 5, 5), padding=2)
    conv("conv1d/basic", 1, (2, 3, 11), (5, 3, 3), stride=2, padding=1, dilation=2)
    conv("conv3d/basic", 3, (1, 2, 5, 4, 4), (3, 2, 2, 3, 2), stride=[1, 2, 1], padding=[1, 0, 1])

    def convt(name, nd, xs, ws, bias=True, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
        x, w = rnd(*xs), rnd(*ws)
        inputs = {"x": x, "w": w}
        if bias:
            inputs["b"] = rnd(ws[1] * groups)
        f = {1: F.conv_transpose1d, 2: F.conv_transpose2d}[nd]
        attrs = {"op": f"conv_transpose{nd}d", "stride": stride, "padding": padding, "output_padding": output_padding,
                 "groups": groups, "dilation": dilation}
        cases.append(with_grads(name, attrs, inputs,
                                lambda x, w, b=None: f(x, w, b, stride=stride, padding=padding,
                                                       output_padding=output_padding, groups=groups,
                                                       dilation=dilation)))

    convt("conv_transpose2d/basic", 2, (1, 4, 4, 5), (4, 3, 3, 3), stride=2, padding=1, output_padding=1)
    convt("conv_transpose2d/groups_dilation", 2, (1, 4, 3, 3), (4, 2, 3, 2), stride=[1, 2], groups=2,
          dilation=[2, 1], bias=False)
    convt("conv_transpose1d/basic", 1, (2, 3, 6), (3, 2, 4), stride=3, padding=1, output_padding=2)

    # Modules with non-zero padding modes (the functional form: pad, then a valid convolution).
    for mode in ["reflect", "replicate", "circular"]:
        x, w, b = rnd(1, 2, 5, 6), rnd(3, 2, 3, 3), rnd(3)
        m = torch.nn.Conv2d(2, 3, 3, padding=[1, 2], padding_mode=mode)
        with torch.no_grad():
            m.weight.copy_(w)
            m.bias.copy_(b)
        cases.append(with_grads(f"conv2d_module/{mode}", {"op": "Conv2d", "padding_mode": mode, "padding": [1, 2]},
                                {"x": x, "w": w, "b": b},
                                lambda x, w, b: F.conv2d(F.pad(x, m._reversed_padding_repeated_twice, mode=mode), w, b)))
    return cases


def pool_cases():
    cases = []

    def case(name, attrs, x, fn):
        cases.append(with_grads(name, attrs, {"x": x}, fn))

    x = rnd(1, 2, 7, 8)
    for ceil in [False, True]:
        case(f"max_pool2d/k3s2p1_ceil{int(ceil)}", {"op": "max_pool2d", "kernel_size": 3, "stride": 2, "padding": 1,
                                                    "dilation": 1, "ceil_mode": ceil}, x,
             lambda x: F.max_pool2d(x, 3, 2, 1, 1, ceil, return_indices=True))
    case("max_pool2d/dilated", {"op": "max_pool2d", "kernel_size": [2, 3], "stride": [1, 2], "padding": [1, 1],
                                "dilation": [2, 2], "ceil_mode": False}, x,
         lambda x: F.max_pool2d(x, [2, 3], [1, 2], [1, 1], [2, 2], False, return_indices=True))
    case("max_pool1d/basic", {"op": "max_pool1d", "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1,
                              "ceil_mode": True}, rnd(2, 3, 10),
         lambda x: F.max_pool1d(x, 3, 2, 1, 1, True, return_indices=True))
    for cip in [True, False]:
        for ceil in [False, True]:
            case(f"avg_pool2d/cip{int(cip)}_ceil{int(ceil)}",
                 {"op": "avg_pool2d", "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": ceil,
                  "count_include_pad": cip}, x, lambda x: F.avg_pool2d(x, 3, 2, 1, ceil, cip))
    case("avg_pool2d/divisor_override", {"op": "avg_pool2d", "kernel_size": [2, 3], "stride": [2, 2], "padding": [1, 0],
                                         "ceil_mode": False, "count_include_pad": True, "divisor_override": 5}, x,
         lambda x: F.avg_pool2d(x, [2, 3], [2, 2], [1, 0], False, True, 5))
    case("avg_pool1d/basic", {"op": "avg_pool1d", "kernel_size": 4, "stride": 3, "padding": 2, "ceil_mode": True,
                              "count_include_pad": False}, rnd(2, 2, 11),
         lambda x: F.avg_pool1d(x, 4, 3, 2, True, False))
    xa = rnd(2, 3, 5, 7)
    case("adaptive_avg_pool2d/3x4", {"op": "adaptive_avg_pool2d", "output_size": [3, 4]}, xa,
         lambda x: F.adaptive_avg_pool2d(x, [3, 4]))
    case("adaptive_avg_pool2d/1x1", {"op": "adaptive_avg_pool2d", "output_size": [1, 1]}, xa,
         lambda x: F.adaptive_avg_pool2d(x, 1))
    case("adaptive_max_pool2d/3x4", {"op": "adaptive_max_pool2d", "output_size": [3, 4]}, xa,
         lambda x: F.adaptive_max_pool2d(x, [3, 4], return_indices=True))
    case("adaptive_avg_pool1d/4", {"op": "adaptive_avg_pool1d", "output_size": [4]}, rnd(2, 3, 9),
         lambda x: F.adaptive_avg_pool1d(x, 4))
    # max_unpool2d of a max_pool2d result.
    xp = rnd(1, 2, 6, 6)
    _, idx = F.max_pool2d(xp, 2, 2, return_indices=True)
    v = rnd(1, 2, 3, 3)
    cases.append(with_grads("max_unpool2d/basic", {"op": "max_unpool2d", "kernel_size": 2, "stride": 2, "padding": 0,
                                                   "output_size": [7, 6]},
                            {"x": v, "idx": idx}, lambda x, idx: F.max_unpool2d(x, idx, 2, 2, 0, [7, 6])))
    return cases


def upsample_cases():
    cases = []
    x4, x3 = rnd(1, 2, 4, 5), rnd(2, 2, 5)

    def case(name, x, size=None, scale=None, mode="nearest", align=None, recompute=None):
        attrs = {"op": "interpolate", "mode": mode}
        if size is not None:
            attrs["size"] = size
        if scale is not None:
            attrs["scale_factor"] = scale
        if align is not None:
            attrs["align_corners"] = align
        if recompute is not None:
            attrs["recompute_scale_factor"] = recompute
        cases.append(with_grads(name, attrs, {"x": x},
                                lambda x: F.interpolate(x, size=size, scale_factor=scale, mode=mode,
                                                        align_corners=align, recompute_scale_factor=recompute)))

    case("interpolate/nearest_size", x4, size=[7, 8])
    case("interpolate/nearest_scale2", x4, scale=[2.0, 2.0])
    case("interpolate/nearest_scale1.7", x4, scale=[1.7, 1.3])
    case("interpolate/nearest_down", x4, size=[3, 2])
    case("interpolate/nearest_exact", x4, size=[7, 3], mode="nearest-exact")
    case("interpolate/bilinear_size", x4, size=[7, 9], mode="bilinear", align=False)
    case("interpolate/bilinear_align", x4, size=[7, 9], mode="bilinear", align=True)
    case("interpolate/bilinear_scale", x4, scale=[1.5, 2.5], mode="bilinear", align=False)
    case("interpolate/bilinear_scale_recompute", x4, scale=[1.5, 2.5], mode="bilinear", align=False, recompute=True)
    case("interpolate/bilinear_down", x4, size=[3, 3], mode="bilinear", align=False)
    case("interpolate/linear", x3, size=[8], mode="linear", align=False)
    case("interpolate/linear_align", x3, scale=[2.0], mode="linear", align=True)
    case("interpolate/area", x4, size=[2, 3], mode="area")
    return cases


def norm_cases():
    cases = []
    # batch_norm training with running-stat update, and eval.
    x, w, b = rnd(4, 3, 3, 2), rnd(3), rnd(3)
    rm, rv = rnd(3), rnd(3).abs() + 0.5
    rm2, rv2 = rm.clone(), rv.clone()
    c = with_grads("batch_norm/train", {"op": "batch_norm", "training": True, "momentum": 0.2, "eps": 1e-5},
                   {"x": x, "w": w, "b": b}, lambda x, w, b: F.batch_norm(x, rm2, rv2, w, b, True, 0.2, 1e-5),
                   extra={"rm": rm, "rv": rv})
    c["tensors"]["rm_after"] = encode(rm2)
    c["tensors"]["rv_after"] = encode(rv2)
    cases.append(c)
    cases.append(with_grads("batch_norm/eval", {"op": "batch_norm", "training": False, "momentum": 0.1, "eps": 1e-3},
                            {"x": x, "w": w, "b": b}, lambda x, w, b: F.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-3),
                            extra={"rm": rm, "rv": rv}))
    x1 = rnd(5, 4)
    rm3, rv3 = torch.zeros(4), torch.ones(4)
    c = with_grads("batch_norm/1d_noaffine", {"op": "batch_norm", "training": True, "momentum": 0.1, "eps": 1e-5},
                   {"x": x1}, lambda x: F.batch_norm(x, rm3, rv3, None, None, True, 0.1, 1e-5),
                   extra={"rm": torch.zeros(4), "rv": torch.ones(4)})
    c["tensors"]["rm_after"] = encode(rm3)
    c["tensors"]["rv_after"] = encode(rv3)
    cases.append(c)
    # BatchNorm2d with momentum=None (cumulative moving average) over three batches.
    m = torch.nn.BatchNorm2d(2, momentum=None)
    xs = [rnd(3, 2, 2, 2) for _ in range(3)]
    for xi in xs:
        m(xi)
    cases.append({"name": "BatchNorm2d/momentum_none", "attrs": {"op": "BatchNorm2d_cumulative"},
                  "tensors": {"x0": encode(xs[0]), "x1": encode(xs[1]), "x2": encode(xs[2]),
                              "rm_after": encode(m.running_mean), "rv_after": encode(m.running_var),
                              "nbt": encode(m.num_batches_tracked)}})
    xl, wl, bl = rnd(2, 3, 4, 5), rnd(4, 5), rnd(4, 5)
    cases.append(with_grads("layer_norm/affine", {"op": "layer_norm", "normalized_shape": [4, 5], "eps": 1e-5},
                            {"x": xl, "w": wl, "b": bl}, lambda x, w, b: F.layer_norm(x, [4, 5], w, b, 1e-5)))
    cases.append(with_grads("layer_norm/plain", {"op": "layer_norm", "normalized_shape": [5], "eps": 1e-3},
                            {"x": xl}, lambda x: F.layer_norm(x, [5], None, None, 1e-3)))
    xg, wg, bg = rnd(2, 6, 3, 2), rnd(6), rnd(6)
    cases.append(with_grads("group_norm/affine", {"op": "group_norm", "num_groups": 3, "eps": 1e-5},
                            {"x": xg, "w": wg, "b": bg}, lambda x, w, b: F.group_norm(x, 3, w, b, 1e-5)))
    rmi, rvi = rnd(6), rnd(6).abs() + 0.5
    rmi2, rvi2 = rmi.clone(), rvi.clone()
    c = with_grads("instance_norm/running", {"op": "instance_norm", "momentum": 0.3, "eps": 1e-5},
                   {"x": xg, "w": wg, "b": bg},
                   lambda x, w, b: F.instance_norm(x, rmi2, rvi2, w, b, True, 0.3, 1e-5),
                   extra={"rm": rmi, "rv": rvi})
    c["tensors"]["rm_after"] = encode(rmi2)
    c["tensors"]["rv_after"] = encode(rvi2)
    cases.append(c)
    cases.append(with_grads("local_response_norm/4d", {"op": "local_response_norm", "size": 3, "alpha": 1e-2,
                                                       "beta": 0.75, "k": 1.0},
                            {"x": rnd(2, 5, 3, 3)}, lambda x: F.local_response_norm(x, 3, 1e-2, 0.75, 1.0)))
    cases.append(with_grads("local_response_norm/3d_even", {"op": "local_response_norm", "size": 4, "alpha": 0.1,
                                                            "beta": 0.5, "k": 2.0},
                            {"x": rnd(2, 6, 4)}, lambda x: F.local_response_norm(x, 4, 0.1, 0.5, 2.0)))
    return cases


def generate():
    return {"torch_version": torch.__version__,
            "cases": conv_cases() + pool_cases() + upsample_cases() + norm_cases()}


if __name__ == "__main__":
    import json
    import os
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "nn_conv.json")
    with open(out, "w") as f:
        json.dump(generate(), f)
