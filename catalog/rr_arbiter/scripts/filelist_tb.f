tb/tb_rr_arbiter.sv
