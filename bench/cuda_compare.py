"""Side-by-side table of cuda_bench (Fluxion) and cuda_twin.py (PyTorch) RESULT lines from one
GPU run: throughput ratios Fluxion / PyTorch (> 1: Fluxion is faster).

Usage: python3 bench/cuda_compare.py cuda_bench.txt cuda_twin.txt"""
import sys


def results(path):
    out = {}
    for line in open(path):
        if not line.startswith("RESULT "):
            continue
        kind, *fields = line.split()[1:]
        kv = dict(f.split("=", 1) for f in fields)
        kv.pop("source", None)
        key = (kind, kv.get("dtype", ""), kv.get("tf32", ""), kv.get("model", ""))
        out[key] = kv
    return out


def main():
    ours, theirs = results(sys.argv[1]), results(sys.argv[2])
    print(f"{'benchmark':40s} {'Fluxion':>10s} {'PyTorch':>10s} {'ratio':>7s}")
    for key, kv in ours.items():
        if key not in theirs:
            continue
        tv = theirs[key]
        kind, dtype, tf32, model = key
        if kind == "cuda_matmul":
            name, a, b = f"matmul {dtype} tf32={tf32} (TFLOP/s)", float(kv["tflops"]), float(tv["tflops"])
        elif kind == "cuda_add":
            name, a, b = "add 256M (fraction of copy bandwidth)", float(kv["ratio"]), float(tv["ratio"])
        else:  # train step: time, so the ratio is theirs / ours
            name, a, b = f"train step {model} (ms)", float(kv["ms"]), float(tv["ms"])
            print(f"{name:40s} {a:10.3f} {b:10.3f} {b / a:7.2f}")
            continue
        print(f"{name:40s} {a:10.3f} {b:10.3f} {a / b:7.2f}")


if __name__ == "__main__":
    main()
