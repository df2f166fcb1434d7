tb/tb_spi_master.sv
