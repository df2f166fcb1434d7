// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// async_fifo : dual-clock FIFO (Cummings style) with Gray-coded pointers.
//
//  * DEPTH = 2**ADDR_WIDTH entries of WIDTH bits (ADDR_WIDTH >= 2)
//  * write and read pointers cross the clock domains as Gray codes through
//    SYNC_STAGES-flop synchronisers (async_fifo_sync)
//  * wr_full / rd_empty are registered and conservative (they may stay
//    asserted a few cycles longer than strictly necessary, never shorter)
//  * rd_data is first-word-fall-through: valid whenever !rd_empty
//  * wr_level / rd_level : occupancy as seen from each domain (conservative)
//  * writes while full / reads while empty are ignored
//  * each domain has its own asynchronous active-low reset; assert both
//    together to flush the FIFO
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module async_fifo #(
  parameter int WIDTH       = 8,
  parameter int ADDR_WIDTH  = 4,
  parameter int SYNC_STAGES = 2
) (
  // write domain
  input  logic                wr_clk,
  input  logic                wr_rst_n,
  input  logic                wr_en,
  input  logic [WIDTH-1:0]    wr_data,
  output logic                wr_full,
  output logic [ADDR_WIDTH:0] wr_level,
  // read domain
  input  logic                rd_clk,
  input  logic                rd_rst_n,
  input  logic                rd_en,
  output logic [WIDTH-1:0]    rd_data,
  output logic                rd_empty,
  output logic [ADDR_WIDTH:0] rd_level
);
  localparam int AW    = ADDR_WIDTH;
  localparam int DEPTH = 1 << AW;

  function automatic logic [AW:0] bin2gray(input logic [AW:0] b);
    return b ^ (b >> 1);
  endfunction

  function automatic logic [AW:0] gray2bin(input logic [AW:0] g);
    logic [AW:0] b;
    b[AW] = g[AW];
    for (int i = AW - 1; i >= 0; i--) b[i] = b[i+1] ^ g[i];
    return b;
  endfunction

  logic [WIDTH-1:0] mem [0:DEPTH-1];
  logic [AW:0]      wbin, wgray, rgray_w;   // write-domain pointers
  logic [AW:0]      rbin, rgray, wgray_r;   // read-domain pointers

  // ---------------- write domain ----------------
  wire         wr_do    = wr_en && !wr_full;
  wire  [AW:0] wbin_nx  = wbin + {{AW{1'b0}}, wr_do};
  wire  [AW:0] rbin_w   = gray2bin(rgray_w);

  always_ff @(posedge wr_clk) begin
    if (wr_do) mem[wbin[AW-1:0]] <= wr_data;
  end

  always_ff @(posedge wr_clk or negedge wr_rst_n) begin
    if (!wr_rst_n) begin
      wbin    <= '0;
      wgray   <= '0;
      wr_full <= 1'b0;
    end else begin
      wbin    <= wbin_nx;
      wgray   <= bin2gray(wbin_nx);
      wr_full <= ((wbin_nx - rbin_w) == (AW+1)'(DEPTH));
    end
  end

  assign wr_level = wbin - rbin_w;

  async_fifo_sync #(.WIDTH(AW + 1), .STAGES(SYNC_STAGES)) u_sync_r2w (
    .clk(wr_clk), .rst_n(wr_rst_n), .d(rgray), .q(rgray_w)
  );

  // ---------------- read domain ----------------
  wire         rd_do    = rd_en && !rd_empty;
  wire  [AW:0] rbin_nx  = rbin + {{AW{1'b0}}, rd_do};
  wire  [AW:0] wbin_r   = gray2bin(wgray_r);

  always_ff @(posedge rd_clk or negedge rd_rst_n) begin
    if (!rd_rst_n) begin
      rbin     <= '0;
      rgray    <= '0;
      rd_empty <= 1'b1;
    end else begin
      rbin     <= rbin_nx;
      rgray    <= bin2gray(rbin_nx);
      rd_empty <= (rbin_nx == wbin_r);
    end
  end

  assign rd_level = wbin_r - rbin;
  assign rd_data  = mem[rbin[AW-1:0]];

  async_fifo_sync #(.WIDTH(AW + 1), .STAGES(SYNC_STAGES)) u_sync_w2r (
    .clk(rd_clk), .rst_n(rd_rst_n), .d(wgray), .q(wgray_r)
  );

endmodule
