#!/usr/bin/env bash
# Fuzzes careneed's input parsers with cargo-fuzz (libFuzzer), one target at a time,
# each in a single process (one core), for SECONDS each (default 600).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Targets: table_reader boundary_reader points_reader scenario_parser spatial_ops
# (default: all).
# Corpora are seeded from tests/hostile and the test fixtures; logs go to
# fuzz/logs/TARGET.log, crashes to fuzz/artifacts/TARGET/. The exit status is
# non-zero when any target found a crash. Turn a crash into a regression test in
# tests/hostile.rs (see the README's "Hardening" section).
#
# Toolchain: `cargo +nightly` when a nightly toolchain is installed; otherwise
# stable with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Z flags). AddressSanitizer is
# used when the toolchain ships its runtime, else `--sanitizer none`
# (override with FUZZ_SANITIZER=address|none; FUZZ_TOOLCHAIN=stable skips nightly).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-600}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(table_reader boundary_reader points_reader scenario_parser spatial_ops)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

cargo=(cargo)
if [[ ${FUZZ_TOOLCHAIN:-} != stable ]] && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  cargo=(cargo +nightly)
  toolchain=nightly
else
  # cargo-fuzz passes -Z flags (sanitizer, coverage), which stable accepts only so.
  export RUSTC_BOOTSTRAP=1
  toolchain="stable (RUSTC_BOOTSTRAP=1)"
fi
sysroot=$("${cargo[@]/cargo/rustc}" --print sysroot 2>/dev/null || rustc --print sysroot)
host=$(rustc -vV | sed -n 's/^host: //p')
if [[ -n ${FUZZ_SANITIZER:-} ]]; then
  sanitizer=$FUZZ_SANITIZER
elif compgen -G "$sysroot/lib/rustlib/$host/lib/librustc-*_rt.asan.a" >/dev/null; then
  sanitizer=address
else
  sanitizer=none
fi
echo "fuzz: toolchain $toolchain, sanitizer $sanitizer, ${seconds}s per target: ${targets[*]}"

# Seeds: the hostile corpus by kind, and the fixtures (files up to 64 KiB).
seed() {
  local target=$1
  shift
  mkdir -p "fuzz/corpus/$target"
  local from
  for from in "$@"; do
    [[ -e $from ]] || continue
    find "$from" -maxdepth 1 -type f -size -64k -exec cp -n {} "fuzz/corpus/$target/" \;
  done
}
seed table_reader tests/hostile/tables tests/fixtures/inputs
seed points_reader tests/hostile/points
seed boundary_reader tests/hostile/boundaries tests/fixtures/inputs
seed spatial_ops tests/hostile/boundaries tests/fixtures/inputs
seed scenario_parser tests/hostile/scenarios data/demo/scenario.toml

mkdir -p fuzz/logs
export RAYON_NUM_THREADS=1 # one core: the readers use rayon
failed=()
for target in "${targets[@]}"; do
  echo "fuzz: $target for ${seconds}s (log: fuzz/logs/$target.log)"
  if (cd fuzz && "${cargo[@]}" fuzz run --sanitizer "$sanitizer" "$target" -- \
    -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 -rss_limit_mb=4096 \
    >"logs/$target.log" 2>&1); then
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done|cov:' "fuzz/logs/$target.log" | tail -3
  else
    echo "fuzz: $target FAILED; see fuzz/logs/$target.log and fuzz/artifacts/$target/"
    tail -30 "fuzz/logs/$target.log"
    failed+=("$target")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: crashes in ${failed[*]}"
  exit 1
fi
echo "fuzz: no crashes"
