rtl/uart_tx.sv
rtl/uart_rx.sv
rtl/uart.sv
