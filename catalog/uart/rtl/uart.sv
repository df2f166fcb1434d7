// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// uart : 8N1 UART (transmitter + receiver sharing one bit-time setting)
// See uart_tx.sv / uart_rx.sv for the detailed behaviour.
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module uart #(
  parameter int DIV_WIDTH = 16
) (
  input  logic                 clk,
  input  logic                 rst_n,
  input  logic [DIV_WIDTH-1:0] clks_per_bit,   // clk frequency / baud rate
  // transmit stream
  input  logic [7:0]           tx_data,
  input  logic                 tx_valid,
  output logic                 tx_ready,
  output logic                 tx_busy,
  // receive stream
  output logic [7:0]           rx_data,
  output logic                 rx_valid,
  output logic                 rx_frame_err,
  output logic                 rx_busy,
  // serial pins
  output logic                 tx,
  input  logic                 rx
);
  uart_tx #(.DIV_WIDTH(DIV_WIDTH)) u_tx (
    .clk(clk), .rst_n(rst_n), .clks_per_bit(clks_per_bit),
    .tx_data(tx_data), .tx_valid(tx_valid), .tx_ready(tx_ready),
    .tx(tx), .tx_busy(tx_busy)
  );

  uart_rx #(.DIV_WIDTH(DIV_WIDTH)) u_rx (
    .clk(clk), .rst_n(rst_n), .clks_per_bit(clks_per_bit), .rx(rx),
    .rx_data(rx_data), .rx_valid(rx_valid), .rx_frame_err(rx_frame_err),
    .rx_busy(rx_busy)
  );
endmodule
