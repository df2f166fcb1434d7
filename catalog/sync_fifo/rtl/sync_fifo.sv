// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// sync_fifo : single-clock first-word-fall-through (FWFT) FIFO
//
//  * WIDTH x DEPTH storage, DEPTH may be any value >= 2 (not only powers of 2)
//  * rd_data always shows the oldest entry while !empty; rd_en pops it
//  * writes while full and reads while empty are ignored and reported by a
//    one-cycle overflow / underflow pulse (registered)
//  * almost_full  = (count >= ALMOST_FULL_LEVEL)
//    almost_empty = (count <= ALMOST_EMPTY_LEVEL)
//  * synchronous active-low reset of all control state (storage not reset)
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module sync_fifo #(
  parameter int WIDTH              = 8,
  parameter int DEPTH              = 16,
  parameter int ALMOST_FULL_LEVEL  = DEPTH - 2,
  parameter int ALMOST_EMPTY_LEVEL = 2
) (
  input  logic                       clk,
  input  logic                       rst_n,
  // write side
  input  logic                       wr_en,
  input  logic [WIDTH-1:0]           wr_data,
  // read side (FWFT)
  input  logic                       rd_en,
  output logic [WIDTH-1:0]           rd_data,
  // status
  output logic                       full,
  output logic                       empty,
  output logic                       almost_full,
  output logic                       almost_empty,
  output logic [$clog2(DEPTH+1)-1:0] count,
  output logic                       overflow,
  output logic                       underflow
);

  localparam int AW = (DEPTH > 2) ? $clog2(DEPTH) : 1;
  localparam int CW = $clog2(DEPTH + 1);
  localparam logic [AW-1:0] LAST = AW'(DEPTH - 1);

  logic [WIDTH-1:0] mem [0:DEPTH-1];
  logic [AW-1:0]    wr_ptr, rd_ptr;
  logic [CW-1:0]    cnt;

  wire do_wr = wr_en && (cnt != CW'(DEPTH));
  wire do_rd = rd_en && (cnt != '0);

  // storage
  always_ff @(posedge clk) begin
    if (do_wr) mem[wr_ptr] <= wr_data;
  end

  // pointers, occupancy and error pulses
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      wr_ptr    <= '0;
      rd_ptr    <= '0;
      cnt       <= '0;
      overflow  <= 1'b0;
      underflow <= 1'b0;
    end else begin
      if (do_wr) wr_ptr <= (wr_ptr == LAST) ? '0 : wr_ptr + 1'b1;
      if (do_rd) rd_ptr <= (rd_ptr == LAST) ? '0 : rd_ptr + 1'b1;
      if (do_wr && !do_rd)      cnt <= cnt + 1'b1;
      else if (do_rd && !do_wr) cnt <= cnt - 1'b1;
      overflow  <= wr_en && !do_wr;
      underflow <= rd_en && !do_rd;
    end
  end

  assign rd_data      = mem[rd_ptr];
  assign count        = cnt;
  assign full         = (cnt == CW'(DEPTH));
  assign empty        = (cnt == '0);
  assign almost_full  = (cnt >= CW'(ALMOST_FULL_LEVEL));
  assign almost_empty = (cnt <= CW'(ALMOST_EMPTY_LEVEL));

endmodule
