#!/usr/bin/env bash
# A/B timing of two careneed binaries on the comparison data: runs them
# alternately (A B A B ...) as whole processes under GNU time and prints each
# run's wall time, CPU and peak memory, then the medians. Alternating spreads
# the machine's drift over both. Not run in CI.
#
#   benches/compare/ab.sh A_BINARY B_BINARY [ROUNDS] [-- careneed arguments]
#
# Default arguments: assign the 10 M points of target/compare-data (made by
# benches/compare/run.sh) to its 6 000 areas.
set -euo pipefail
cd "$(dirname "$0")/../.."
A="$1"; B="$2"; shift 2
ROUNDS=5
if [ $# -gt 0 ] && [ "$1" != "--" ]; then ROUNDS="$1"; shift; fi
[ "${1:-}" = "--" ] && shift
DATA=target/compare-data
if [ $# -gt 0 ]; then
  ARGS=("$@")
else
  ARGS=(assign --areas "$DATA/areas.geojson" --points "$DATA/points.csv" --out "${TMPDIR:-/tmp}/ab_counts.csv")
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for r in $(seq "$ROUNDS"); do
  for side in A B; do
    bin=$A; [ "$side" = B ] && bin=$B
    /usr/bin/time -f "%e %U %S %M" -o "$TMP/t" "$bin" "${ARGS[@]}" >/dev/null 2>&1
    read -r wall user sys kb < "$TMP/t"
    echo "$wall" >> "$TMP/$side"
    awk -v s="$side" -v r="$r" -v w="$wall" -v u="$user" -v k="$sys" -v m="$kb" \
      'BEGIN { printf "%s round %d: %5.2f s wall, %5.2f s CPU, %4d MB\n", s, r, w, u + k, m / 1024 }'
  done
done
for side in A B; do
  sort -n "$TMP/$side" | awk -v s="$side" '{ v[NR] = $1 }
    END { printf "%s: median %.3f s, best %.3f s\n", s, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1] }'
done
