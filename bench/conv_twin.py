"""PyTorch twin of bench/conv_bench.cpp: conv2d forward and forward+backward (input and weight
gradients) for the LeNet-, VGG- and ResNet-size layers, at 1 and 2 threads.

Prints one line per case, `<case>_t<threads> <median seconds per iteration>` (the twin convention of
bench/README.md). Threads: BENCH_THREADS (as bench/run_all.sh sets it) or --threads (default 2,1).
`conv_bench --twin FILE` prints the comparison table from this output."""
import argparse
import os
import torch
from twin_util import median_ms

CASES = [
    # name, batch, cin, cout, kernel, hw, padding
    ("lenet", 128, 1, 6, 5, 28, 0),
    ("vgg", 64, 64, 64, 3, 32, 1),
    ("resnet", 32, 128, 128, 3, 16, 1),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default=os.environ.get("BENCH_THREADS", "2,1"))
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--cpu-time", type=int, default=0)
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

            print(f"conv_{name}_fwd_t{threads} {median_ms(fwd, args.reps, cpu_time=bool(args.cpu_time)) * 1e-3:.6g}", flush=True)
            print(f"conv_{name}_fwdbwd_t{threads} {median_ms(fwd_bwd, args.reps, cpu_time=bool(args.cpu_time)) * 1e-3:.6g}", flush=True)


if __name__ == "__main__":
    main()
