"""PyTorch twin of bench/conv_bench.cpp: conv2d forward and forward+backward (input and weight
gradients) for the LeNet-, VGG- and ResNet-size layers, at 1 and 2 threads.

Prints one line per case: `<name> <threads> <median ms per iteration>`; run
`python bench/conv_twin.py` beside `build/bench/conv_bench` (which prints the same lines and,
given this script's output on stdin or with --twin FILE, the ratio)."""
import argparse
import statistics
import time

import torch

CASES = [
    # name, batch, cin, cout, kernel, hw, padding
    ("lenet", 128, 1, 6, 5, 28, 0),
    ("vgg", 64, 64, 64, 3, 32, 1),
    ("resnet", 32, 128, 128, 3, 16, 1),
]


def median_ms(fn, reps=9, min_time=0.25):
    for _ in range(3):
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
        samples.append((time.perf_counter() - t0) / n * 1e3)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="2,1")
    ap.add_argument("--reps", type=int, default=9)
    args = ap.parse_args()
    torch.manual_seed(0)
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for name, b, cin, cout, k, hw, pad in CASES:
            x = torch.randn(b, cin, hw, hw, requires_grad=True)
            w = torch.randn(cout, cin, k, k, requires_grad=True)
            bias = torch.randn(cout, requires_grad=True)

            def fwd():
                with torch.no_grad():
                    torch.nn.functional.conv2d(x, w, bias, padding=pad)

            y = torch.nn.functional.conv2d(x, w, bias, padding=pad)
            gy = torch.randn_like(y)

            def fwd_bwd():
                out = torch.nn.functional.conv2d(x, w, bias, padding=pad)
                torch.autograd.grad(out, (x, w, bias), gy)

            print(f"{name}_fwd {threads} {median_ms(fwd, args.reps):.4f}", flush=True)
            print(f"{name}_fwdbwd {threads} {median_ms(fwd_bwd, args.reps):.4f}", flush=True)


if __name__ == "__main__":
    main()
