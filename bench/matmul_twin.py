"""PyTorch twin of bench/matmul_bench.cpp: torch.matmul f32, square n = 256..2048, 1 and 2 threads.

Timing matches the C++ benchmark: warm-up, then repeated runs for at least --min-time seconds
(at least 5), reporting the median and best GFLOP/s. Prints one line per row:
  RESULT torch_matmul_f32 n=512 threads=1 gflops=... best_gflops=...
With --fluxion PATH (the matmul_bench binary) it also runs that benchmark with the same sizes and
threads and prints one table with Fluxion, raw cblas and PyTorch side by side and their ratios.

Usage: /opt/torchenv/bin/python bench/matmul_twin.py [--sizes 256,512] [--threads 1,2]
                                                  [--min-time 0.5] [--fluxion build/bench/matmul_bench]
"""
import argparse
import re
import subprocess
import time

import torch


def bench_torch(n, threads, min_time):
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(n)
    a = torch.randn(n, n, generator=g)
    b = torch.randn(n, n, generator=g)
    with torch.inference_mode():
        for _ in range(2):
            torch.matmul(a, b)
        times = []
        start = time.perf_counter()
        while len(times) < 5 or (time.perf_counter() - start < 2 * min_time and len(times) < 200):
            t0 = time.perf_counter()
            torch.matmul(a, b)
            times.append(time.perf_counter() - t0)
    times.sort()
    flop = 2.0 * n ** 3 * 1e-9
    return flop / times[len(times) // 2], flop / times[0]


def run_fluxion(path, sizes, threads, min_time):
    out = subprocess.run([path, "--sizes", ",".join(map(str, sizes)), "--threads", ",".join(map(str, threads)),
                          "--min-time", str(min_time)], check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            kv = dict(re.findall(r"(\w+)=([\w.+-]+)", line))
            rows[(int(kv["n"]), int(kv["threads"]))] = kv
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="256,512,1024,2048")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--min-time", type=float, default=0.5)
    p.add_argument("--fluxion", help="path of the matmul_bench binary to run and compare against")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    print(f"torch {torch.__version__}, BLAS {blas.group(1) if blas else 'unknown'}, mkldnn {torch.backends.mkldnn.is_available()}")
    results = {}
    for t in threads:
        for n in sizes:
            med, best = bench_torch(n, t, args.min_time)
            results[(n, t)] = (med, best)
            print(f"RESULT torch_matmul_f32 n={n} threads={t} gflops={med:.2f} best_gflops={best:.2f}", flush=True)
    if not args.fluxion:
        return
    fl = run_fluxion(args.fluxion, sizes, threads, args.min_time)
    print(f"\n{'threads':>7} {'n':>5} {'fluxion':>9} {'cblas':>9} {'torch':>9} {'flx/cblas':>10} {'flx/torch':>10}"
          f" {'%peak':>7}   (median GFLOP/s; best-run ratio flx/torch in brackets)")
    for t in threads:
        for n in sizes:
            r = fl[(n, t)]
            ours, raw = float(r["ours_gflops"]), float(r["cblas_gflops"])
            tm, tb = results[(n, t)]
            peak = float(r["peak_gflops"])
            print(f"{t:>7} {n:>5} {ours:>9.1f} {raw:>9.1f} {tm:>9.1f} {ours / raw:>10.3f} {ours / tm:>10.3f}"
                  f" {100 * float(r['ours_best_gflops']) / peak:>6.1f}%   [{float(r['ours_best_gflops']) / tb:.3f}]")


if __name__ == "__main__":
    main()
