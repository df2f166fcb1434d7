// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// rr_arbiter : N-requester round-robin arbiter
//
//  * grant is combinational and one-hot: the first requester at or after the
//    priority pointer (searching upwards and wrapping around)
//  * when ack is high and a grant is given, the pointer moves to the
//    requester after the granted one, so it gets the lowest priority next.
//    Tie ack to 1 for one arbitration per cycle, or drive it with the
//    "transfer accepted" signal of a shared resource to hold a grant over
//    multi-cycle transfers
//  * fairness: a requester that keeps its request asserted is granted
//    before any other requester is granted twice (at most N-1 acked grants
//    to others)
//  * synchronous active-low reset: requester 0 has priority after reset
//  * N >= 2
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module rr_arbiter #(
  parameter int N = 4
) (
  input  logic                 clk,
  input  logic                 rst_n,
  input  logic [N-1:0]         req,
  input  logic                 ack,
  output logic [N-1:0]         grant,
  output logic [$clog2(N)-1:0] grant_idx,
  output logic                 grant_valid
);
  localparam int IW = $clog2(N);

  logic [IW-1:0] ptr;

  always @(*) begin : arbitrate
    logic [IW:0] k;
    grant       = '0;
    grant_idx   = '0;
    grant_valid = 1'b0;
    for (int i = 0; i < N; i++) begin
      k = {1'b0, ptr} + (IW+1)'(i);
      if (k >= (IW+1)'(N)) k = k - (IW+1)'(N);
      if (!grant_valid && req[k[IW-1:0]]) begin
        grant_valid         = 1'b1;
        grant_idx           = k[IW-1:0];
        grant[k[IW-1:0]]    = 1'b1;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      ptr <= '0;
    end else if (ack && grant_valid) begin
      ptr <= (grant_idx == IW'(N - 1)) ? '0 : grant_idx + 1'b1;
    end
  end
endmodule
