#!/usr/bin/env bash
# Runs every benchmark in build/release/bench and, where one exists, its PyTorch twin, then
# prints Fluxion vs PyTorch times and ratios (medians of several repetitions, same threads).
#
#   bench/run_all.sh [name ...]        e.g. bench/run_all.sh overhead system
#
# Environment: BUILD_DIR (default build/release), TORCH_PYTHON (default /opt/torchenv/bin/python),
# REPS (Google Benchmark repetitions, default 5), THREADS (passed as the first argument to
# non-Google-Benchmark programs and as BENCH_THREADS to twins; default 2).
# Results and raw outputs go to $BUILD_DIR/bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build/release}
TORCH_PYTHON=${TORCH_PYTHON:-/opt/torchenv/bin/python}
REPS=${REPS:-5}
THREADS=${THREADS:-2}
OUT=$BUILD_DIR/bench/results
mkdir -p "$OUT"

if [[ ! -x $TORCH_PYTHON ]] || ! "$TORCH_PYTHON" -c "import torch" 2>/dev/null; then
  echo "run_all: no PyTorch at $TORCH_PYTHON (set TORCH_PYTHON); running Fluxion only" >&2
  TORCH_PYTHON=""
fi

names=("$@")
if ((${#names[@]} == 0)); then
  for src in bench/*_bench.cpp; do names+=("$(basename "$src" _bench.cpp)"); done
fi

status=0
for name in "${names[@]}"; do
  bin=$BUILD_DIR/bench/${name}_bench
  twin=bench/${name}_twin.py
  echo "=== $name ==="
  if [[ ! -x $bin ]]; then
    echo "missing $bin (build with: cmake --build --preset release)" >&2
    status=1
    continue
  fi
  if [[ -n $TORCH_PYTHON && -f $twin ]] && grep -q -- "--fluxion" "$twin"; then
    # The twin drives both programs and prints its own table (e.g. matmul).
    "$TORCH_PYTHON" "$twin" --fluxion "$bin" | tee "$OUT/$name.txt"
    continue
  fi
  if grep -q "benchmark/benchmark.h" "bench/${name}_bench.cpp"; then
    "$bin" --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true \
      --benchmark_out="$OUT/$name.json" --benchmark_out_format=json | tee "$OUT/$name.console"
    ours=$OUT/$name.json
  else
    "$bin" "$THREADS" | tee "$OUT/$name.txt"
    ours=$OUT/$name.txt
  fi
  if [[ -n $TORCH_PYTHON && -f $twin ]]; then
    echo "--- PyTorch twin: $twin"
    BENCH_THREADS=$THREADS "$TORCH_PYTHON" "$twin" | tee "$OUT/${name}_twin.txt"
    echo "--- Fluxion / PyTorch ($name)"
    python3 bench/compare.py "$ours" "$OUT/${name}_twin.txt" | tee "$OUT/${name}_ratio.txt"
  fi
done
exit $status
