rtl/async_fifo_sync.sv
rtl/async_fifo.sv
