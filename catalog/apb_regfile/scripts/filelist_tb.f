tb/tb_apb_regfile.sv
