tb/tb_async_fifo.sv
