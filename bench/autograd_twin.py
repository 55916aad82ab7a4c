"""PyTorch twin of bench/autograd_bench.cpp (same workloads, 1 thread). Prints one line per
benchmark: `<name> <median seconds per iteration>`."""
import statistics
import time

import torch
from torch.func import grad, hessian, vmap

torch.set_num_threads(1)


def timeit(fn, reps=7, min_time=0.3):
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 > min_time / 5:
            break
        n *= 2
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


x = torch.randn(8, requires_grad=True)


def chain100():
    y = x
    for _ in range(25):
        y = ((y * 1.01).sin() + 0.5).tanh()
    y.sum().backward()


w1 = torch.randn(16, 32, requires_grad=True)
w2 = torch.randn(32, 32, requires_grad=True)
w3 = torch.randn(32, 1, requires_grad=True)
xb = torch.randn(4, 16)


def tiny_mlp():
    h = (xb @ w1).relu()
    h = (h @ w2).relu()
    loss = (h @ w3).square().mean()
    loss.backward()


xh = torch.randn(100, dtype=torch.float64)
H = hessian(lambda t: (t.tanh() * t * t).sum() + t.sum() * t.sum())

v1 = torch.randn(16, 32)
v2 = torch.randn(32, 1)
xs = torch.randn(32, 16)
sample_grad = vmap(lambda xi: grad(lambda w: ((xi @ w).relu() @ v2).square().sum())(v1))

import torch.nn.functional as F

cnn = {"wc": torch.randn(8, 1, 5, 5) * 0.2, "bc": torch.zeros(8), "wl": torch.randn(10, 1152) * 0.03,
       "bl": torch.zeros(10)}
cx = torch.randn(32, 1, 1, 28, 28)
cy = torch.randint(0, 10, (32, 1))


def cnn_loss(p, x, y):
    h = F.max_pool2d(F.relu(F.conv2d(x, p["wc"], p["bc"])), 2)
    return F.cross_entropy(F.linear(h.flatten(1), p["wl"], p["bl"]), y)


cnn_grads = vmap(grad(cnn_loss), in_dims=(None, 0, 0))

results = {
    "chain100": timeit(chain100),
    "tiny_mlp": timeit(tiny_mlp),
    "hessian100": timeit(lambda: H(xh)),
    "per_sample": timeit(lambda: sample_grad(xs)),
    "per_sample_cnn": timeit(lambda: cnn_grads(cnn, cx, cy)),
}
for k, v in results.items():
    print(k, v)
