#!/usr/bin/env bash
# Run the smoke testbench of every CBB package in this catalog.
#
# usage: ./run_all.sh [iverilog|verilator]
#
# Each package is copied to a fresh temporary directory before its run
# scripts are executed, so no build output is ever written into the catalog.
# A run passes when its script exits 0, its output has a line that is exactly
# "PASS" and contains no "FAIL". Prints a table and exits non-zero if
# anything failed. Set KEEP_LOGS=<dir> to keep all logs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

sims=(iverilog verilator)
if [[ $# -gt 1 ]]; then
  echo "usage: $0 [iverilog|verilator]" >&2
  exit 2
fi
if [[ $# -eq 1 ]]; then
  case "$1" in
    iverilog|verilator) sims=("$1") ;;
    *) echo "usage: $0 [iverilog|verilator]" >&2; exit 2 ;;
  esac
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/cbb_run_all.XXXXXX")"
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

pkgs=()
for d in "$root"/*/; do
  [[ -f "$d/manifest.json" ]] && pkgs+=("$(basename "$d")")
done
if [[ ${#pkgs[@]} -eq 0 ]]; then
  echo "no packages found under $root" >&2
  exit 1
fi

declare -A result
failures=0
mkdir -p "$tmp/logs"

for pkg in "${pkgs[@]}"; do
  for sim in iverilog verilator; do
    result["$pkg,$sim"]="-"
  done
  for sim in "${sims[@]}"; do
    work="$tmp/work/$sim/$pkg"
    log="$tmp/logs/$pkg.$sim.log"
    mkdir -p "$(dirname "$work")"
    cp -R "$root/$pkg" "$work"
    rm -rf "$work/build"
    script="$work/scripts/run_$sim.sh"
    echo ">> $pkg / $sim" >&2
    rc=0
    if [[ -f "$script" ]]; then
      timeout 900 bash "$script" >"$log" 2>&1 || rc=$?
    else
      echo "missing $script" >"$log"
      rc=127
    fi
    if [[ $rc -eq 0 ]] && grep -qx 'PASS' "$log" && ! grep -q 'FAIL' "$log"; then
      result["$pkg,$sim"]="PASS"
    else
      result["$pkg,$sim"]="FAIL"
      failures=$((failures + 1))
      echo "---- $pkg / $sim failed (exit $rc), last lines of the log:" >&2
      tail -n 20 "$log" >&2 || true
    fi
    rm -rf "$work"
  done
done

if [[ -n "${KEEP_LOGS:-}" ]]; then
  mkdir -p "$KEEP_LOGS"
  cp "$tmp"/logs/*.log "$KEEP_LOGS"/ 2>/dev/null || true
fi

echo
printf '%-16s %-10s %s\n' "cbb" "iverilog" "verilator"
printf '%-16s %-10s %s\n' "----------------" "----------" "----------"
for pkg in "${pkgs[@]}"; do
  printf '%-16s %-10s %s\n' "$pkg" "${result["$pkg,iverilog"]}" "${result["$pkg,verilator"]}"
done
echo

if [[ $failures -ne 0 ]]; then
  echo "$failures run(s) failed"
  exit 1
fi
echo "all runs passed"
