rtl/spi_master.sv
