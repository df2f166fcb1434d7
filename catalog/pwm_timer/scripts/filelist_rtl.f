rtl/pwm_timer.sv
