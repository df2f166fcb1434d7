#!/usr/bin/env bash
# Verilator (>= 5.006) smoke run for rr_arbiter. Output goes to build/obj_dir/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p build
verilator --binary --timing -Wno-fatal -j "${VERILATOR_JOBS:-1}" \
  -f scripts/filelist_rtl.f -f scripts/filelist_tb.f \
  --top-module tb_rr_arbiter -Mdir build/obj_dir
./build/obj_dir/Vtb_rr_arbiter
