# ModelSim / Questa template for pwm_timer.
# Run from the package root:   vsim -c -do scripts/questa.do
if {[file exists build/work]} { vdel -lib build/work -all }
file mkdir build
vlib build/work
vlog -sv -work build/work -f scripts/filelist_rtl.f -f scripts/filelist_tb.f
vsim -c -lib build/work -onfinish stop tb_pwm_timer
run -all
quit -f
