tb/tb_sync_fifo.sv
