rtl/apb_regfile.sv
