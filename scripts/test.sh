#!/usr/bin/env bash
# Installs the dependencies, builds the release preset and runs the whole test suite.
# Exits non-zero on any failure. JOBS (default 2) sets build and test parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
scripts/setup.sh
cmake --preset release
cmake --build --preset release -j "$JOBS"
ctest --preset release -j "$JOBS"
