"""PyTorch twin of bench/train_step_bench.cpp: one training step (zero_grad, forward, cross-entropy,
backward, optimiser step) of the reference MLP (784-1024-1024-10, batch 128, SGD momentum 0.9)
and LeNet-5 (1x28x28, batch 128, Adam), at 2 and 1 threads.

Prints `<model>_t<threads> <median seconds per step>` (the twin convention of bench/README.md; feed it
to train_step_bench --twin FILE for a table). Threads: BENCH_THREADS or --threads (default 2,1)."""
import argparse
import os
import torch
from twin_util import median_ms
import torch.nn as nn


def mlp():
    return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def time_step(model, opt, x, y, reps, cpu_time):
    loss_fn = nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return median_ms(step, reps, min_time=0.3, cpu_time=cpu_time)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default=os.environ.get("BENCH_THREADS", "2,1"))
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--cpu-time", type=int, default=0)
    args = ap.parse_args()
    torch.manual_seed(0)
    for t in [int(v) for v in args.threads.split(",")]:
        torch.set_num_threads(t)
        m = mlp()
        opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
        ms = time_step(m, opt, torch.randn(128, 784), torch.randint(0, 10, (128,)), args.reps, bool(args.cpu_time))
        print(f"train_mlp_sgd_t{t} {ms * 1e-3:.6g}", flush=True)
        m = lenet5()
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        ms = time_step(m, opt, torch.randn(128, 1, 28, 28), torch.randint(0, 10, (128,)), args.reps, bool(args.cpu_time))
        print(f"train_lenet5_adam_t{t} {ms * 1e-3:.6g}", flush=True)


if __name__ == "__main__":
    main()
