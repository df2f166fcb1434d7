tb/tb_crc32.sv
