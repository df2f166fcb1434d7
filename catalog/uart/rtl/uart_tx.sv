// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// uart_tx : 8N1 UART transmitter (1 start bit, 8 data bits LSB first, 1 stop)
//
//  * bit time = clks_per_bit clock cycles (runtime input, latched per frame,
//    must be >= 2; e.g. 50 MHz / 115200 baud -> 434)
//  * valid/ready handshake; tx_ready is also high during the very last cycle
//    of a stop bit, so a continuously valid stream is sent with no idle gap
//    (frame period exactly 10 * clks_per_bit)
//  * synchronous active-low reset; line idles high
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module uart_tx #(
  parameter int DIV_WIDTH = 16
) (
  input  logic                 clk,
  input  logic                 rst_n,
  input  logic [DIV_WIDTH-1:0] clks_per_bit,
  input  logic [7:0]           tx_data,
  input  logic                 tx_valid,
  output logic                 tx_ready,
  output logic                 tx,
  output logic                 tx_busy
);
  logic                 busy;
  logic [8:0]           shreg;     // remaining bits after the one on the line
  logic [3:0]           bit_idx;   // 0 = start ... 9 = stop
  logic [DIV_WIDTH-1:0] cnt;
  logic [DIV_WIDTH-1:0] cpb_q;

  wire bit_end  = (cnt == cpb_q - 1'b1);
  wire last_cyc = busy && bit_end && (bit_idx == 4'd9);

  assign tx_ready = !busy || last_cyc;
  assign tx_busy  = busy;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      busy    <= 1'b0;
      shreg   <= '1;
      bit_idx <= '0;
      cnt     <= '0;
      cpb_q   <= '0;
      tx      <= 1'b1;
    end else if (tx_valid && tx_ready) begin
      // start a new frame (possibly right after the previous stop bit)
      busy    <= 1'b1;
      shreg   <= {1'b1, tx_data};
      bit_idx <= '0;
      cnt     <= '0;
      cpb_q   <= clks_per_bit;
      tx      <= 1'b0;
    end else if (busy) begin
      if (bit_end) begin
        cnt <= '0;
        if (bit_idx == 4'd9) begin
          busy <= 1'b0;
          tx   <= 1'b1;
        end else begin
          bit_idx <= bit_idx + 1'b1;
          tx      <= shreg[0];
          shreg   <= {1'b1, shreg[8:1]};
        end
      end else begin
        cnt <= cnt + 1'b1;
      end
    end
  end
endmodule
