"""Golden cases for tests/optim: optimizer trajectories, LR-scheduler sequences and gradient clipping.

generate() -> {"cases": [...]} in the format documented in tests/support/golden.h.

Case "problem/quad" holds the matrices A and y of the quadratic problem.

Optimizer cases ("optim/<name>"): attrs = {"optimizer": class name, "options": kwargs (PyTorch names;
betas as a list), "problem": "quad" | "rosen", "steps": N, "groups": optional list of per-group
kwargs overriding options, each group taking the parameters listed in "group_params"}.
Tensors: "x0" (initial parameters, flattened, float64) and "traj" (steps x numel: the flattened
parameters after each step). Parameters are p1 (2, 3) and p2 (4,) for "quad" (numel 10) and one
(2,) tensor for "rosen". Gradients are set by hand (the C++ test computes the same formulas):
  quad:  f(x) = 0.5 |A x - y|^2 + 0.1 sum x^4,   grad = A^T (A x - y) + 0.4 x^3   (A: 8x10, y: 8)
  rosen: f(x) = (1 - x0)^2 + 100 (x1 - x0^2)^2
"maximize" cases optimize -f (so they ascend -f, i.e. the trajectory equals minimising f).
LBFGS cases step with a closure that sets the same gradient.

Scheduler cases ("sched/<name>"): an SGD optimizer (momentum 0.9) or Adam with two groups, lrs
[0.1, 0.05]; attrs = {"scheduler": ..., "kwargs": ..., "steps": N, "optimizer": "SGD" | "Adam",
"metrics": [...] for ReduceLROnPlateau}; tensors "lr" (steps + 1, 2): get_last_lr() after
construction and after each step, and "momentum" (steps + 1, 2) for OneCycleLR (momentum or beta1).
LambdaLR/MultiplicativeLR name their lambda in attrs["lambda"] (the C++ test has the same ones).

Clipping cases ("clip/<norm>"): grads g0 (3, 4), g1 (5,), g2 (2, 2) (float64), attrs
{"max_norm", "norm_type"}; tensors "total" (the returned norm) and "c0", "c1", "c2" (clipped grads).
"""
import math

import torch

_gen = torch.Generator().manual_seed(20240605)


def encode(t):
    t = t.detach().contiguous()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        data.append(v)
    dtype = {torch.float64: "float64", torch.float32: "float32"}[t.dtype]
    return {"dtype": dtype, "shape": list(t.shape), "data": data}


# ---- problems ----------------------------------------------------------------------------------

A = torch.randn(8, 10, generator=_gen, dtype=torch.float64) * 0.5
Y = torch.randn(8, generator=_gen, dtype=torch.float64)
X0_QUAD = torch.randn(10, generator=_gen, dtype=torch.float64) * 0.5
X0_ROSEN = torch.tensor([-1.5, 2.0], dtype=torch.float64)


def quad_grad(x):
    return A.t() @ (A @ x - Y) + 0.4 * x ** 3


def quad_loss(x):
    r = A @ x - Y
    return 0.5 * (r * r).sum() + 0.1 * (x ** 4).sum()


def rosen_loss(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosen_grad(x):
    return torch.stack([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


def make_params(problem):
    if problem == "quad":
        x = X0_QUAD.clone()
        return [x[:6].clone().reshape(2, 3).requires_grad_(), x[6:].clone().requires_grad_()]
    return [X0_ROSEN.clone().requires_grad_()]


def flat(params):
    return torch.cat([p.detach().reshape(-1) for p in params])


def set_grads(params, problem, sign):
    x = flat(params)
    g = sign * (quad_grad(x) if problem == "quad" else rosen_grad(x))
    off = 0
    for p in params:
        p.grad = g[off:off + p.numel()].reshape(p.shape).clone()
        off += p.numel()
    return sign * (quad_loss(x) if problem == "quad" else rosen_loss(x))


def opt_kwargs(d):
    d = dict(d)
    if "betas" in d:
        d["betas"] = tuple(d["betas"])
    return d


def optim_case(name, optimizer, options, problem="quad", steps=20, groups=None, group_params=None):
    params = make_params(problem)
    cls = getattr(torch.optim, optimizer)
    if groups:
        pg = [dict(params=[params[i] for i in idx], **opt_kwargs(g)) for g, idx in zip(groups, group_params)]
        opt = cls(pg, **opt_kwargs(options))
    else:
        opt = cls(params, **opt_kwargs(options))
    sign = -1.0 if options.get("maximize") else 1.0
    traj = []
    for _ in range(steps):
        if optimizer == "LBFGS":
            def closure():
                opt.zero_grad()
                return set_grads(params, problem, sign)
            opt.step(closure)
        else:
            set_grads(params, problem, sign)
            opt.step()
        traj.append(flat(params))
    attrs = {"optimizer": optimizer, "options": options, "problem": problem, "steps": steps}
    if groups:
        attrs["groups"] = groups
        attrs["group_params"] = group_params
    if optimizer == "LBFGS":
        st = opt.state[params[0]]
        attrs["func_evals"] = st["func_evals"]
        attrs["n_iter"] = st["n_iter"]
    x0 = X0_QUAD if problem == "quad" else X0_ROSEN
    return {"name": "optim/" + name, "attrs": attrs, "tensors": {"x0": encode(x0), "traj": encode(torch.stack(traj))}}


def optim_cases():
    c = []
    add = lambda *a, **k: c.append(optim_case(*a, **k))  # noqa: E731
    add("sgd", "SGD", {"lr": 0.05})
    add("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9})
    add("sgd_dampening_wd", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01})
    add("sgd_nesterov_wd", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05})
    add("sgd_maximize", "SGD", {"lr": 0.05, "momentum": 0.5, "maximize": True})
    add("sgd_rosen", "SGD", {"lr": 1e-3, "momentum": 0.9}, problem="rosen", steps=30)
    add("adam", "Adam", {"lr": 0.05})
    add("adam_amsgrad", "Adam", {"lr": 0.05, "amsgrad": True, "betas": [0.8, 0.99]})
    add("adam_wd", "Adam", {"lr": 0.05, "weight_decay": 0.1, "eps": 1e-6})
    add("adam_maximize", "Adam", {"lr": 0.05, "maximize": True})
    add("adam_rosen", "Adam", {"lr": 0.1}, problem="rosen", steps=30)
    add("adamw", "AdamW", {"lr": 0.05, "weight_decay": 0.1})
    add("adamw_amsgrad", "AdamW", {"lr": 0.05, "weight_decay": 0.05, "amsgrad": True})
    add("rmsprop", "RMSprop", {"lr": 0.01})
    add("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True, "alpha": 0.9})
    add("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9})
    add("rmsprop_all", "RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.01,
                                   "maximize": True})
    add("adagrad", "Adagrad", {"lr": 0.1})
    add("adagrad_all", "Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1,
                                   "weight_decay": 0.01, "eps": 1e-8})
    add("adadelta", "Adadelta", {"lr": 1.0})
    add("adadelta_all", "Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.01, "eps": 1e-5})
    add("adamax", "Adamax", {"lr": 0.05})
    add("adamax_wd", "Adamax", {"lr": 0.05, "weight_decay": 0.01, "betas": [0.85, 0.995]})
    add("nadam", "NAdam", {"lr": 0.05})
    add("nadam_all", "NAdam", {"lr": 0.05, "momentum_decay": 0.01, "weight_decay": 0.01})
    add("nadam_decoupled", "NAdam", {"lr": 0.05, "weight_decay": 0.05, "decoupled_weight_decay": True})
    add("radam", "RAdam", {"lr": 0.05})
    add("radam_wd", "RAdam", {"lr": 0.05, "weight_decay": 0.01})
    add("radam_decoupled", "RAdam", {"lr": 0.05, "weight_decay": 0.05, "decoupled_weight_decay": True,
                                     "betas": [0.9, 0.9]})
    add("lbfgs_wolfe", "LBFGS", {"lr": 1.0, "max_iter": 5, "history_size": 3, "line_search_fn": "strong_wolfe"},
        problem="rosen", steps=6)
    add("lbfgs_fixed", "LBFGS", {"lr": 0.05, "max_iter": 4, "history_size": 2}, problem="quad", steps=4)
    add("lbfgs_wolfe_quad", "LBFGS", {"lr": 1.0, "max_iter": 8, "history_size": 5, "line_search_fn": "strong_wolfe"},
        problem="quad", steps=3)
    add("groups_sgd", "SGD", {"lr": 0.05, "momentum": 0.9}, groups=[{"lr": 0.01}, {"lr": 0.1, "nesterov": True}],
        group_params=[[0], [1]])
    add("groups_adam", "Adam", {"lr": 0.05}, groups=[{}, {"lr": 0.01, "betas": [0.5, 0.9], "amsgrad": True}],
        group_params=[[1], [0]])
    return c


# ---- schedulers --------------------------------------------------------------------------------

LAMBDAS = {"pow095": lambda e: 0.95 ** e, "const09": lambda e: 0.9, "inv": lambda e: 1.0 / (e + 1)}


def sched_case(name, scheduler, kwargs, steps=25, optimizer="SGD", metrics=None, lam=None, children=None):
    w1 = torch.zeros(3, requires_grad=True)
    w2 = torch.zeros(2, requires_grad=True)
    groups = [{"params": [w1], "lr": 0.1}, {"params": [w2], "lr": 0.05}]
    opt = torch.optim.SGD(groups, momentum=0.9) if optimizer == "SGD" else torch.optim.Adam(groups)
    S = torch.optim.lr_scheduler

    def build(sname, kw, lam_name=None):
        kw = dict(kw)
        if lam_name:
            kw["lr_lambda"] = LAMBDAS[lam_name]
        return getattr(S, sname)(opt, **kw)

    if children:
        subs = [build(ch["scheduler"], ch["kwargs"], ch.get("lambda")) for ch in children]
        if scheduler == "SequentialLR":
            sch = S.SequentialLR(opt, subs, **kwargs)
        else:
            sch = S.ChainedScheduler(subs)
    else:
        sch = build(scheduler, kwargs, lam)

    def momentum():
        return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]

    lrs, moms = [list(sch.get_last_lr())], [momentum()]
    for i in range(steps):
        opt.step()
        if metrics is not None:
            sch.step(metrics[i])
        else:
            sch.step()
        lrs.append([float(v) for v in sch.get_last_lr()])
        moms.append(momentum())
    attrs = {"scheduler": scheduler, "kwargs": kwargs, "steps": steps, "optimizer": optimizer}
    if metrics is not None:
        attrs["metrics"] = metrics
    if lam:
        attrs["lambda"] = lam
    if children:
        attrs["children"] = children
    tensors = {"lr": encode(torch.tensor(lrs, dtype=torch.float64))}
    if scheduler == "OneCycleLR":
        tensors["momentum"] = encode(torch.tensor(moms, dtype=torch.float64))
    return {"name": "sched/" + name, "attrs": attrs, "tensors": tensors}


def sched_cases():
    c = []
    add = lambda *a, **k: c.append(sched_case(*a, **k))  # noqa: E731
    add("step", "StepLR", {"step_size": 3, "gamma": 0.5})
    add("multistep", "MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3})
    add("exponential", "ExponentialLR", {"gamma": 0.9})
    add("cosine", "CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}, steps=30)
    add("cosine_warm_restarts", "CosineAnnealingWarmRestarts", {"T_0": 4, "T_mult": 2, "eta_min": 0.01}, steps=30)
    add("cosine_warm_restarts_t1", "CosineAnnealingWarmRestarts", {"T_0": 5}, steps=17)
    add("onecycle_cos", "OneCycleLR", {"max_lr": [1.0, 0.5], "total_steps": 30}, steps=30)
    add("onecycle_linear_3phase", "OneCycleLR", {"max_lr": 0.8, "total_steps": 20, "anneal_strategy": "linear",
                                                 "three_phase": True, "pct_start": 0.25}, steps=20)
    add("onecycle_adam", "OneCycleLR", {"max_lr": 0.01, "epochs": 4, "steps_per_epoch": 5, "div_factor": 10.0,
                                        "final_div_factor": 100.0}, steps=20, optimizer="Adam")
    add("linear", "LinearLR", {"start_factor": 0.25, "total_iters": 4}, steps=10)
    add("linear_decay", "LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 6}, steps=10)
    add("constant", "ConstantLR", {"factor": 0.5, "total_iters": 3}, steps=8)
    add("lambda", "LambdaLR", {}, lam="pow095", steps=12)
    add("multiplicative", "MultiplicativeLR", {}, lam="const09", steps=12)
    add("polynomial", "PolynomialLR", {"total_iters": 6, "power": 2.0}, steps=10)
    add("sequential_warmup_cosine", "SequentialLR", {"milestones": [3]}, steps=20,
        children=[{"scheduler": "LinearLR", "kwargs": {"start_factor": 0.1, "total_iters": 3}},
                  {"scheduler": "CosineAnnealingLR", "kwargs": {"T_max": 10}}])
    add("sequential_three", "SequentialLR", {"milestones": [2, 6]}, steps=15,
        children=[{"scheduler": "ConstantLR", "kwargs": {"factor": 0.2, "total_iters": 2}},
                  {"scheduler": "ExponentialLR", "kwargs": {"gamma": 0.8}},
                  {"scheduler": "LambdaLR", "kwargs": {}, "lambda": "inv"}])
    add("chained", "ChainedScheduler", {}, steps=10,
        children=[{"scheduler": "ConstantLR", "kwargs": {"factor": 0.5, "total_iters": 4}},
                  {"scheduler": "ExponentialLR", "kwargs": {"gamma": 0.9}}])
    metrics = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.91, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7]
    add("plateau_min", "ReduceLROnPlateau", {"patience": 2, "factor": 0.5, "cooldown": 1}, steps=len(metrics),
        metrics=metrics)
    add("plateau_max_abs", "ReduceLROnPlateau", {"mode": "max", "threshold_mode": "abs", "threshold": 0.05,
                                                 "patience": 1, "factor": 0.1, "min_lr": [0.002, 0.0]},
        steps=len(metrics), metrics=[-m for m in metrics])
    return c


# ---- clipping ----------------------------------------------------------------------------------

def clip_cases():
    g = [torch.randn(3, 4, generator=_gen), torch.randn(5, generator=_gen) * 3, torch.randn(2, 2, generator=_gen)]
    cases = []
    for norm_type, max_norm in [(2.0, 1.0), (1.0, 2.5), (float("inf"), 0.5), (3.0, 100.0), (2.0, 1e6)]:
        ps = [torch.zeros_like(x, requires_grad=True) for x in g]
        for p, x in zip(ps, g):
            p.grad = x.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
        tensors = {f"g{i}": encode(x) for i, x in enumerate(g)}
        tensors.update({f"c{i}": encode(p.grad) for i, p in enumerate(ps)})
        tensors["total"] = encode(total.reshape(1))
        name = "inf" if math.isinf(norm_type) else str(norm_type)
        cases.append({"name": f"clip/{name}/{max_norm}", "attrs": {"max_norm": max_norm,
                                                                      "norm_type": "inf" if math.isinf(norm_type) else norm_type},
                      "tensors": tensors})
    return cases


def generate():
    # Scalar optimizer state (step, NAdam's mu_product) follows the default dtype in PyTorch; use
    # float64 like Fluxion, and restore the default for the other generators run in this process.
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        return _generate()
    finally:
        torch.set_default_dtype(previous)


def _generate():
    problem = {"name": "problem/quad", "attrs": {}, "tensors": {"A": encode(A), "y": encode(Y)}}
    return {"torch_version": torch.__version__, "cases": [problem] + optim_cases() + sched_cases() + clip_cases()}


if __name__ == "__main__":
    import json
    import os
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "optim.json")
    with open(out, "w") as f:
        json.dump(generate(), f)
    print("wrote", out)
