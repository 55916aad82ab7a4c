#!/usr/bin/env python3
"""Regenerates the golden test data from PyTorch: imports every gen_<name>.py in this folder
and writes data/<name>.json from its generate() (format: tests/support/golden.h).

Needs PyTorch and NumPy, which CI does not: the JSON files are committed and the C++ tests
only read them. Install with `pip install torch numpy` (or `apt-get install python3-torch`),
or use the interpreter at /opt/torchenv/bin/python:

    /opt/torchenv/bin/python tests/golden/make_golden.py            # all generators
    /opt/torchenv/bin/python tests/golden/make_golden.py core index  # only gen_core.py, gen_index.py
    /opt/torchenv/bin/python tests/golden/make_golden.py --check     # fail if any file would change

Output is deterministic (generators seed their own RNGs) and must stay small (< 300 KB per file).
"""
import argparse
import glob
import importlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BYTES = 300 * 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="generator names (gen_<name>.py); default: all")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if a file is out of date")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("make_golden: PyTorch is required (pip install torch numpy, or apt-get install python3-torch)")
    sys.path.insert(0, HERE)
    available = sorted(os.path.basename(p)[4:-3] for p in glob.glob(os.path.join(HERE, "gen_*.py")))
    names = args.names or available
    unknown = [n for n in names if n not in available]
    if unknown:
        sys.exit("make_golden: no generator for %s (have: %s)" % (", ".join(unknown), ", ".join(available)))
    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    stale = []
    for name in names:
        module = importlib.import_module("gen_" + name)
        data = module.generate()
        data.setdefault("torch_version", torch.__version__)
        if not data.get("cases"):
            sys.exit("make_golden: gen_%s.generate() returned no cases" % name)
        text = json.dumps(data)
        path = os.path.join(HERE, "data", name + ".json")
        status = "%-12s %4d cases %8d bytes" % (name, len(data["cases"]), len(text))
        if len(text) > MAX_BYTES:
            print("make_golden: warning: %s.json is %d bytes (keep it under %d)" % (name, len(text), MAX_BYTES))
        if args.check:
            old = open(path).read() if os.path.exists(path) else None
            if old is None or json.loads(old)["cases"] != json.loads(text)["cases"]:
                stale.append(name)
                status += "  OUT OF DATE"
        else:
            with open(path, "w") as f:
                f.write(text)
        print(status)
    if stale:
        sys.exit("make_golden: out of date: " + ", ".join(stale))


if __name__ == "__main__":
    main()
