#!/usr/bin/env bash
# careneed against GeoPandas, DuckDB spatial and tobler on one synthetic
# Sweden-scale data set (seeded). Not run in CI: it takes minutes.
#
#   benches/compare/run.sh [--quick] [--repeat N]
#
# Needs only the Rust toolchain and python3 (with venv): creates a virtual
# environment under target/compare-venv, pip-installs the pinned peers
# (requirements.txt), installs GNU time from Debian if missing, builds careneed
# --release, generates the data under target/compare-data (cached), runs every
# tool as a whole process N times (default 3), checks the counts and prints a
# table of times, peak memory and ratios. Exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

QUICK=0
REPEAT=3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --repeat) REPEAT="$2"; shift ;;
    *) echo "usage: $0 [--quick] [--repeat N]" >&2; exit 2 ;;
  esac
  shift
done

VENV=target/compare-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r benches/compare/requirements.txt

if [ ! -x /usr/bin/time ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq time >/dev/null
fi

cargo build --release --quiet --bin careneed --example compare_data

if [ "$QUICK" = 1 ]; then
  DATA=target/compare-data-quick
  GEN=(--points 1000000)
else
  DATA=target/compare-data
  GEN=(--points 10000000)
fi
STAMP="$DATA/.generated-$(sha256sum examples/compare_data.rs | cut -c1-16)-${GEN[*]// /_}"
if [ ! -f "$STAMP" ]; then
  rm -rf "$DATA"
  target/release/examples/compare_data --out "$DATA" "${GEN[@]}"
  touch "$STAMP"
fi

exec "$VENV/bin/python" benches/compare/compare.py --data "$DATA" \
  --careneed target/release/careneed --python "$VENV/bin/python" --repeat "$REPEAT"
