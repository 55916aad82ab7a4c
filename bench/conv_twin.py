"""PyTorch twin of bench/conv_bench.cpp: conv2d forward and forward+backward (input and weight
gradients) for the LeNet-, VGG- and ResNet-size layers, at 1 and 2 threads.

Prints one line per case, `<case>_t<threads> <median seconds per iteration>` (the twin convention of
bench/README.md). Threads: BENCH_THREADS (as bench/run_all.sh sets it) or --threads (default 2,1).
`conv_bench --twin FILE` prints the comparison table from this output."""
import argparse
import os
import statistics
import time

import torch

CASES = [
    # name, batch, cin, cout, kernel, hw, padding
    ("lenet", 128, 1, 6, 5, 28, 0),
    ("vgg", 64, 64, 64, 3, 32, 1),
    ("resnet", 32, 128, 128, 3, 16, 1),
]


# Wall clock, or process CPU time with --cpu-time 1 (see the C++ side).
CLOCK = time.perf_counter


def median_ms(fn, reps=9, min_time=0.25):
    for _ in range(3):
        fn()
    n = 1
    while True:
        t0 = CLOCK()
        for _ in range(n):
            fn()
        if CLOCK() - t0 > min_time / 5:
            break
        n *= 2
    samples = []
    for _ in range(reps):
        t0 = CLOCK()
        for _ in range(n):
            fn()
        samples.append((CLOCK() - t0) / n * 1e3)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default=os.environ.get("BENCH_THREADS", "2,1"))
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--cpu-time", type=int, default=0)
    args = ap.parse_args()
    global CLOCK
    if args.cpu_time:
        CLOCK = time.process_time
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

            print(f"conv_{name}_fwd_t{threads} {median_ms(fwd, args.reps) * 1e-3:.6g}", flush=True)
            print(f"conv_{name}_fwdbwd_t{threads} {median_ms(fwd_bwd, args.reps) * 1e-3:.6g}", flush=True)


if __name__ == "__main__":
    main()
