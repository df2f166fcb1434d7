tb/tb_pwm_timer.sv
