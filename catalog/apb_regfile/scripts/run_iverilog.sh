#!/usr/bin/env bash
# Icarus Verilog (>= 11) smoke run for apb_regfile. Output goes to build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p build
iverilog -g2012 -o build/sim.vvp -f scripts/filelist_rtl.f -f scripts/filelist_tb.f -s tb_apb_regfile
vvp -n build/sim.vvp
