#!/usr/bin/env bash
# Icarus Verilog (>= 11) smoke run for async_fifo. Output goes to build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p build
iverilog -g2012 -o build/sim.vvp -f scripts/filelist_rtl.f -f scripts/filelist_tb.f -s tb_async_fifo
vvp -n build/sim.vvp
