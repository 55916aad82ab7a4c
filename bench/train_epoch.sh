#!/usr/bin/env bash
# Epoch time of `fluxion train` against its PyTorch twin (bench/train_epoch_twin.py): same model,
# data (Fashion-MNIST from dataset-fashion-mnist), batch 128, optimiser, constant learning rate,
# threads, 0 data-loader workers. Runs them alternately, REPS times each, and prints the median
# epoch seconds of both and the speed-up (PyTorch time / Fluxion time; > 1: Fluxion is faster).
#
#   bench/train_epoch.sh [MODEL ...]       default: lenet5 mlp softmax
#
# Environment: BUILD_DIR (build/release), TORCH_PYTHON (/opt/torchenv/bin/python), THREADS (2),
# EPOCHS per run (1), REPS (3), OPTIMIZER (adam), LR (1e-3).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build/release}
TORCH_PYTHON=${TORCH_PYTHON:-/opt/torchenv/bin/python}
THREADS=${THREADS:-2}
EPOCHS=${EPOCHS:-1}
REPS=${REPS:-3}
OPTIMIZER=${OPTIMIZER:-adam}
LR=${LR:-1e-3}
models=("$@")
((${#models[@]})) || models=(lenet5 mlp softmax)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

printf '%-8s %8s %12s %12s %9s %10s %10s\n' model threads fluxion_s pytorch_s speed-up fx_acc torch_acc
for model in "${models[@]}"; do
  : > "$work/ours" && : > "$work/theirs"
  for ((r = 0; r < REPS; ++r)); do
    "$BUILD_DIR/tools/fluxion" train --model "$model" --data fashion-mnist --epochs "$EPOCHS" --batch-size 128 \
      --lr "$LR" --optimizer "$OPTIMIZER" --schedule none --threads "$THREADS" --workers 0 --seed "$r" --out "$work/$model-$r" \
      --metrics-json "$work/m$r.json" > "$work/log$r" 2>&1
    python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(m['timing']['mean_epoch_seconds'], m['test_acc'])" \
      "$work/m$r.json" >> "$work/ours"
    "$TORCH_PYTHON" bench/train_epoch_twin.py --model "$model" --epochs "$EPOCHS" --threads "$THREADS" \
      --optimizer "$OPTIMIZER" --lr "$LR" --seed "$r" > "$work/twin$r"
    awk '/^epoch/ {t[++n] = $3; a = $NF} END {s = 0; for (i = 1; i <= n; ++i) s += t[i]; print s / n, a}' \
      "$work/twin$r" >> "$work/theirs"
  done
  ours=$(cut -d' ' -f1 "$work/ours" | median)
  theirs=$(cut -d' ' -f1 "$work/theirs" | median)
  acc_ours=$(tail -1 "$work/ours" | cut -d' ' -f2)
  acc_theirs=$(tail -1 "$work/theirs" | cut -d' ' -f2)
  printf '%-8s %8s %12.3f %12.3f %8.2fx %10.4f %10.4f\n' "$model" "$THREADS" "$ours" "$theirs" \
    "$(python3 -c "print($theirs / $ours)")" "$acc_ours" "$acc_theirs"
done
