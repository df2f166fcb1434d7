rtl/rr_arbiter.sv
