#!/usr/bin/env bash
# Installs every Debian 12 package Fluxion needs to build, test, benchmark and run its main job,
# then fetches two small tables that some examples use (Iris and the 8x8 digits, from Debian's
# python3-sklearn .deb, extracted without installing the package and its ~200 MB of dependencies).
# Idempotent and non-interactive: packages already present are skipped (no apt-get at all when
# nothing is missing), and so are tables already in place. Run as root, or as a user with sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git python3
  libopenblas-dev libopenblas0-openmp liblapack-dev liblapacke-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev zlib1g-dev libpng-dev libjpeg-dev
  dataset-fashion-mnist
)
# Where the examples look for the scikit-learn tables (unless FLUXION_SKLEARN_DATA says otherwise).
SKLEARN_DATA_DIR=/usr/local/share/fluxion/sklearn-data
SKLEARN_FILES=(iris.csv digits.csv.gz)

SUDO=()
need_root() {  # sets SUDO, or fails with a message naming what needed root
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
      echo "setup: need root to $1 (run as root or install sudo)" >&2
      return 1
    fi
    SUDO=(sudo)
  fi
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]} == 0)); then
    echo "setup: all ${#PACKAGES[@]} packages already installed"
    return 0
  fi
  need_root "install ${missing[*]}"
  echo "setup: installing ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Optional: a failure here (no network, no root) prints a note and leaves the build alone; the
# examples that need the tables say so, and their tests are skipped.
fetch_sklearn_data() (  # a subshell: its EXIT trap removes the temporary directory
  local f have=1
  for f in "${SKLEARN_FILES[@]}"; do [[ -s $SKLEARN_DATA_DIR/$f ]] || have=0; done
  if ((have)); then
    echo "setup: scikit-learn tables already in $SKLEARN_DATA_DIR"
    exit 0
  fi
  need_root "write $SKLEARN_DATA_DIR" || exit 1
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  local apt_opts=(-qq)
  # As root, apt would try (and fail, with a warning) to download as _apt into our private directory.
  [[ $(id -u) -eq 0 ]] && apt_opts+=(-o APT::Sandbox::User=root)
  (cd "$tmp" && timeout 120 apt-get download "${apt_opts[@]}" python3-sklearn) >/dev/null 2>&1 || exit 1
  local members=()
  for f in "${SKLEARN_FILES[@]}"; do members+=("./usr/lib/python3/dist-packages/sklearn/datasets/data/$f"); done
  dpkg-deb --fsys-tarfile "$tmp"/python3-sklearn_*.deb | tar -x -C "$tmp" "${members[@]}" || exit 1
  "${SUDO[@]}" mkdir -p "$SKLEARN_DATA_DIR" || exit 1
  for f in "${SKLEARN_FILES[@]}"; do
    "${SUDO[@]}" install -m 0644 "$tmp/usr/lib/python3/dist-packages/sklearn/datasets/data/$f" "$SKLEARN_DATA_DIR/$f" ||
      exit 1
  done
  echo "setup: scikit-learn tables (${SKLEARN_FILES[*]}) in $SKLEARN_DATA_DIR"
)

install_packages
if ! fetch_sklearn_data; then
  echo "setup: note: could not fetch the Iris and digits tables from python3-sklearn (no network?);" \
    "the examples that use them will be skipped" >&2
fi
