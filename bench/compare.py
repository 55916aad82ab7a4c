#!/usr/bin/env python3
"""Pairs Fluxion benchmark results with their PyTorch twin's and prints ratios (no torch needed).

    compare.py OURS TWIN

OURS and TWIN are files in any of these formats (detected per file):
  * Google Benchmark JSON (--benchmark_format=json, with repetitions: the median aggregate is used)
  * `<key> <seconds>` lines (the twin convention, see bench/README.md)
  * `<name padded>  <value> ms|us|ns/op|s ...` lines (pointwise_bench style)
Keys are matched after normalisation: lower case, leading "BM_" and underscores removed,
"/real_time" dropped. Ratio = Fluxion time / PyTorch time (below 1: Fluxion is faster).
"""
import json
import re
import sys

UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ns/op": 1e-9}
GB_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


def norm(key):
    k = key.strip().lower().replace("/real_time", "").replace("/manual_time", "")
    k = re.sub(r"^bm_", "", k)
    return k.replace("_", "")


def parse(path):
    text = open(path).read()
    start = text.find("{")
    if start >= 0 and '"benchmarks"' in text:
        data = json.loads(text[start:])
        out, plain = {}, {}
        for b in data["benchmarks"]:
            secs = b["real_time"] * GB_UNITS[b.get("time_unit", "ns")]
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    out[b["run_name"]] = secs
            else:
                plain.setdefault(b.get("run_name", b["name"]), []).append(secs)
        for name, v in plain.items():
            out.setdefault(name, sorted(v)[len(v) // 2])
        return out
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*(\S+)\s+([0-9.eE+-]+)\s*$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
            continue
        m = re.match(r"^(.*?)\s{2,}\s*([0-9.eE+-]+)\s+(ms|us|ns/op|s)\b", line)
        if m:
            out[m.group(1).strip()] = float(m.group(2)) * UNITS[m.group(3)]
    return out


def fmt(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if s >= scale:
            return "%.3f %s" % (s / scale, unit)
    return "%.1f ns" % (s / 1e-9)


def main():
    ours, twin = parse(sys.argv[1]), parse(sys.argv[2])
    twin_by_key = {norm(k): (k, v) for k, v in twin.items()}
    rows = []
    for name, t in ours.items():
        key = norm(name)
        match = twin_by_key.get(key)
        if match is None:  # a twin key that is a prefix of ours (BM_PerSampleGrad <-> per_sample)
            cands = [v for k, v in twin_by_key.items() if key.startswith(k) or k.startswith(key)]
            match = cands[0] if len(cands) == 1 else None
        rows.append((name, t, match[1] if match else None))
    width = max([len(r[0]) for r in rows] + [9])
    print("%-*s %12s %12s %8s" % (width, "benchmark", "fluxion", "pytorch", "ratio"))
    for name, t, p in rows:
        if p is None:
            print("%-*s %12s %12s %8s" % (width, name, fmt(t), "-", "-"))
        else:
            print("%-*s %12s %12s %8.2f" % (width, name, fmt(t), fmt(p), t / p))


if __name__ == "__main__":
    main()
