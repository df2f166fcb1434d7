#!/usr/bin/env bash
# Synopsys VCS template for pwm_timer. Output goes to build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p build
vcs -full64 -sverilog -timescale=1ns/1ps +lint=TFIPC-L \
  -f scripts/filelist_rtl.f -f scripts/filelist_tb.f \
  -top tb_pwm_timer -Mdir=build/csrc -o build/simv -l build/vcs_compile.log
./build/simv -l build/vcs_sim.log
