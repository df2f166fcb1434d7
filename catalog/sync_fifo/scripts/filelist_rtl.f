rtl/sync_fifo.sv
