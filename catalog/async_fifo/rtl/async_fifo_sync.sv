// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// async_fifo_sync : N-stage (default 2) flip-flop synchroniser.
// STAGES must be >= 2. Only use for single bits or Gray-coded buses (at most one bit changes per
// source clock), as done by async_fifo for its pointers.
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module async_fifo_sync #(
  parameter int WIDTH  = 1,
  parameter int STAGES = 2
) (
  input  logic             clk,
  input  logic             rst_n,   // asynchronous, active low
  input  logic [WIDTH-1:0] d,
  output logic [WIDTH-1:0] q
);
  // stage 0 in the low WIDTH bits, last stage in the high WIDTH bits
  logic [STAGES*WIDTH-1:0] chain;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) chain <= '0;
    else        chain <= {chain[(STAGES-1)*WIDTH-1:0], d};
  end

  assign q = chain[STAGES*WIDTH-1 -: WIDTH];
endmodule
