tb/tb_uart.sv
