rtl/crc32.sv
