"""PyTorch twin of bench/overhead_bench.cpp: the same tiny-tensor calls (8 floats, 1 thread),
timed from Python, so the numbers include the interpreter as a PyTorch user sees it.
Prints `<key> <median seconds per call>` per line."""
import statistics
import time

import torch

torch.set_num_threads(1)


def per_call(fn, reps=7, calls=20000):
    for _ in range(1000):
        fn()
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t0) / calls)
    return statistics.median(samples)


a, b = torch.rand(8), torch.rand(8)
ai, bi = torch.zeros(8), torch.full((8,), 1e-9)
ag = torch.rand(8, requires_grad=True)

results = {
    "add8": per_call(lambda: a + b),
    "add_inplace8": per_call(lambda: ai.add_(bi)),
    "add8_grad": per_call(lambda: ag + b),
    "empty8": per_call(lambda: torch.empty(8)),
}
for k, v in results.items():
    print(k, v)
