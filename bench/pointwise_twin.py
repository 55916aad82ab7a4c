"""PyTorch twin of bench/pointwise_bench.cpp: the same elementwise ops on the same sizes
(16M float32 elements; 4096x4096 for the transposed cases; 8 elements for the per-op overhead)
at the same thread count, printed in the same format so bench/compare.py can pair the lines:
  <name padded to 34> <median> ms  <GB/s> GB/s
  <name padded to 34> <median> ns/op
Usage: /opt/torchenv/bin/python bench/pointwise_twin.py [threads]   (default: $BENCH_THREADS or 2)"""
import statistics
import os
import sys
import time

import torch


def median_seconds(fn, reps):
    fn()  # warm up
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        fn()
        t.append(time.perf_counter() - s)
    return statistics.median(t)


def report(name, seconds, nbytes):
    print("%-34s %9.3f ms  %7.2f GB/s" % (name, seconds * 1e3, nbytes / seconds / 1e9), flush=True)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_THREADS", "2"))
    torch.set_num_threads(threads)
    n = 1 << 24
    mb = n * 4.0
    print("torch %s, threads %d, n = %d floats" % (torch.__version__, threads, n))
    with torch.no_grad():
        a, b = torch.rand(n), torch.rand(n)
        out = torch.empty(n)
        report("add (new output)", median_seconds(lambda: a + b, 9), 3 * mb)
        report("add_out", median_seconds(lambda: torch.add(a, b, out=out), 9), 3 * mb)
        report("mul (new output)", median_seconds(lambda: a * b, 9), 3 * mb)
        report("mul by scalar", median_seconds(lambda: a * 2.5, 9), 2 * mb)
        report("add_ in place", median_seconds(lambda: a.add_(b), 9), 3 * mb)
        x = torch.randn(n)
        report("exp", median_seconds(lambda: x.exp(), 9), 2 * mb)
        report("exp_out", median_seconds(lambda: torch.exp(x, out=out), 9), 2 * mb)
        report("log (of |x|)", median_seconds(lambda: a.log(), 9), 2 * mb)
        report("tanh", median_seconds(lambda: x.tanh(), 9), 2 * mb)
        report("sigmoid", median_seconds(lambda: x.sigmoid(), 9), 2 * mb)
        report("erf", median_seconds(lambda: x.erf(), 9), 2 * mb)
        report("gelu", median_seconds(lambda: torch.nn.functional.gelu(x), 9), 2 * mb)
        report("relu", median_seconds(lambda: x.relu(), 9), 2 * mb)
        report("sin (libm)", median_seconds(lambda: x.sin(), 5), 2 * mb)

        sq = torch.randn(4096, 4096)
        sqt = sq.t()
        t_contig = median_seconds(lambda: sq.exp(), 9)
        t_trans = median_seconds(lambda: sqt.exp(), 9)
        sq_out = torch.empty(4096, 4096)
        t_trans_out = median_seconds(lambda: torch.exp(sqt, out=sq_out), 9)
        report("exp 4096x4096 contiguous", t_contig, 2 * mb)
        report("exp transposed (layout kept)", t_trans, 2 * mb)
        report("exp transposed into contiguous", t_trans_out, 2 * mb)
        sq2 = torch.randn(4096, 4096)
        report("add transposed + contiguous", median_seconds(lambda: sqt + sq2, 9), 3 * mb)

    s1, s2 = torch.rand(8), torch.rand(8)
    iters = 200000

    def per_op(fn):
        def loop():
            for _ in range(iters):
                fn()
        return median_seconds(loop, 5) / iters * 1e9

    with torch.no_grad():
        print("%-34s %9.1f ns/op" % ("tiny add (8 floats)", per_op(lambda: s1 + s2)))
        print("%-34s %9.1f ns/op" % ("tiny mul by scalar (8 floats)", per_op(lambda: s1 * 2.0)))
        print("%-34s %9.1f ns/op" % ("tiny exp (8 floats)", per_op(lambda: s1.exp())))
        print("%-34s %9.1f ns/op" % ("tiny add_ in place (8 floats)", per_op(lambda: s1.add_(s2))))
    print("%-34s %9.1f ns/op" % ("tiny add, grad mode on", per_op(lambda: s1 + s2)))


if __name__ == "__main__":
    main()
