#!/usr/bin/env bash
# GPU check (issue 8): configure + build with CUDA, run the CUDA-labelled tests and the CUDA
# benchmark, and write the logs to $OUT (default: build/gpu-check). Meant to be run as one
# prepared step on a machine with a GPU; on a machine without one the tests skip cleanly.
# Usage: scripts/gpu-check.sh [build-dir]    (env: JOBS, CUDA_ARCHS, OUT)
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/gpu-check}
OUT=${OUT:-$BUILD/results}
JOBS=${JOBS:-$(nproc)}
mkdir -p "$OUT"
ARCH_ARGS=()
if [[ -n "${CUDA_ARCHS:-}" ]]; then ARCH_ARGS=(-DCMAKE_CUDA_ARCHITECTURES="$CUDA_ARCHS"); fi

{
  date -u
  if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv
  else
    echo "nvidia-smi: none"
  fi
} > "$OUT/machine.txt"

start=$(date +%s)
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLUXION_CUDA=ON -DFLUXION_BUILD_BENCH=ON \
  -DFLUXION_BUILD_EXAMPLES=ON "${ARCH_ARGS[@]}" > "$OUT/configure.log" 2>&1 || { echo "configure failed"; tail -30 "$OUT/configure.log"; exit 1; }
cmake --build "$BUILD" -j "$JOBS" --target all > "$OUT/build.log" 2>&1 \
  || { echo "build failed"; tail -40 "$OUT/build.log"; exit 1; }
echo "build: $(( $(date +%s) - start )) s" | tee "$OUT/summary.txt"

status=0
ctest --test-dir "$BUILD" -L cuda --output-on-failure --timeout 600 > "$OUT/ctest-cuda.log" 2>&1 || status=1
{ grep -E "tests passed|tests failed" "$OUT/ctest-cuda.log"; echo "skipped: $(grep -c '\*\*\*Skipped' "$OUT/ctest-cuda.log")"; } \
  | tee -a "$OUT/summary.txt"
ctest --test-dir "$BUILD" -R "BlockCache" --output-on-failure > "$OUT/ctest-block-cache.log" 2>&1 || status=1
grep -E "tests passed|tests failed" "$OUT/ctest-block-cache.log" | tee -a "$OUT/summary.txt"
# The PyTorch golden suites run every case on the CPU and on CUDA device 0 (op conformance).
ctest --test-dir "$BUILD" -R "Golden" -V --timeout 600 > "$OUT/ctest-golden.log" 2>&1 || status=1
{ grep -E "tests passed|tests failed" "$OUT/ctest-golden.log"; grep -E "golden cases have no kernel" "$OUT/ctest-golden.log"; } \
  | tee -a "$OUT/summary.txt"

if [[ -x "$BUILD/bench/cuda_bench" ]]; then
  "$BUILD/bench/cuda_bench" > "$OUT/cuda_bench.txt" 2>&1 || status=1
  grep RESULT "$OUT/cuda_bench.txt" | tee -a "$OUT/summary.txt"
fi
# The PyTorch twin on the same GPU, when a CUDA-enabled torch is installed (ratios in summary.txt).
PY=${PYTHON:-python3}
if "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" > /dev/null 2>&1; then
  "$PY" bench/cuda_twin.py > "$OUT/cuda_twin.txt" 2>&1 || status=1
  grep RESULT "$OUT/cuda_twin.txt" | tee -a "$OUT/summary.txt"
  "$PY" bench/cuda_compare.py "$OUT/cuda_bench.txt" "$OUT/cuda_twin.txt" | tee -a "$OUT/summary.txt"
else
  echo "PyTorch with CUDA not available: no twin figures" | tee -a "$OUT/summary.txt"
fi
"$BUILD/tools/fluxion" info > "$OUT/info.txt" 2>&1
cat "$OUT/info.txt"
exit $status
