// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// Self-checking smoke testbench for rr_arbiter.
// Environments for N = 4, 5 (not a power of two) and 8 run in parallel.
// Every cycle the grant is compared with a reference model (priority pointer
// + "closest requester at or after the pointer"), and is checked to be
// one-hot, a subset of req and empty when nothing is requested.
// Fairness checks: strict rotation when all request, equal share over
// K*N cycles, and for persistent requesters at most N-1 acked grants to
// others before being served (random traffic, with and without ack).
// Also: ack=0 freezes the pointer, reset restores priority to requester 0.
// Prints exactly "PASS" or "FAIL: <n> errors" and calls $finish.
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module rr_arbiter_env #(
  parameter int          N    = 4,
  parameter logic [31:0] SEED = 32'h1234_ABCD
) (
  input  logic clk,
  output int   errors,
  output logic done
);
  localparam int IW = $clog2(N);

  logic          rst_n, ack;
  logic [N-1:0]  req, grant;
  logic [IW-1:0] grant_idx;
  logic          grant_valid;

  rr_arbiter #(.N(N)) dut (
    .clk(clk), .rst_n(rst_n), .req(req), .ack(ack),
    .grant(grant), .grant_idx(grant_idx), .grant_valid(grant_valid)
  );

  int   mptr;                 // model priority pointer
  int   others [0:N-1];       // acked grants to others while i waits
  int   max_others;
  int   n_grants [0:N-1];
  int   n_cycles;

  logic [31:0] rng;
  function automatic logic [31:0] rnd();
    rng = rng ^ (rng << 13);
    rng = rng ^ (rng >> 17);
    rng = rng ^ (rng << 5);
    return rng;
  endfunction

  task automatic err(input int code);
    errors++;
    if (errors <= 10)
      $display("ERROR [rr_arbiter N=%0d] t=%0t code=%0d req=%b grant=%b idx=%0d valid=%b model_ptr=%0d",
               N, $time, code, req, grant, grant_idx, grant_valid, mptr);
  endtask

  // reference: distance from the pointer, smallest wins
  function automatic int model_grant(input logic [N-1:0] r);
    int best, best_d, d;
    best = -1; best_d = N;
    for (int i = 0; i < N; i++) begin
      d = (i - mptr + N) % N;
      if (r[i] && d < best_d) begin best = i; best_d = d; end
    end
    return best;
  endfunction

  // Apply req/ack for one cycle (called right after a falling edge), check,
  // update the model; returns the granted index (-1 if none) after the next
  // falling edge.
  task automatic cycle(input logic [N-1:0] r, input logic a, output int g);
    int exp_g;
    req = r; ack = a;
    #1;
    exp_g = model_grant(r);
    if ($countones(grant) > 1)              err(1);
    if ((grant & ~r) != '0)                 err(2);
    if (grant_valid !== (r != '0))          err(3);
    if (exp_g < 0) begin
      if (grant !== '0)                     err(4);
    end else begin
      if (grant !== (N'(1) << exp_g))       err(5);
      if (grant_idx !== IW'(exp_g))         err(6);
    end
    g = exp_g;
    // fairness bookkeeping
    if (a && exp_g >= 0) begin
      for (int i = 0; i < N; i++) begin
        if (i == exp_g) others[i] = 0;
        else if (r[i]) begin
          others[i]++;
          if (others[i] > max_others) max_others = others[i];
        end
      end
      n_grants[exp_g]++;
      mptr = (exp_g + 1) % N;
    end
    n_cycles++;
    @(negedge clk);
  endtask

  task automatic clear_stats;
    for (int i = 0; i < N; i++) begin others[i] = 0; n_grants[i] = 0; end
    max_others = 0;
  endtask

  task automatic do_reset;
    rst_n = 1'b0; req = '1; ack = 1'b1;
    repeat (2) @(negedge clk);
    rst_n = 1'b1;
    mptr = 0;
  endtask

  // requesters hold req until served (with ack), then may drop it
  task automatic persistent_traffic(input int cycles, input int raise_pct, input int ack_pct, input int keep_pct);
    logic [N-1:0] r;
    int g;
    r = '0;
    for (int c = 0; c < cycles; c++) begin
      logic a;
      for (int i = 0; i < N; i++)
        if (!r[i] && (rnd() % 100) < raise_pct) begin
          r[i] = 1'b1;
          others[i] = 0;                   // a new request starts waiting
        end
      a = (rnd() % 100) < ack_pct;
      cycle(r, a, g);
      if (a && g >= 0 && (rnd() % 100) >= keep_pct) r[g] = 1'b0;
    end
  endtask

  initial begin
    int g, prev;
    errors = 0; done = 1'b0;
    rng = SEED;
    n_cycles = 0;
    clear_stats();
    @(negedge clk);
    do_reset();

    // 1. no requests: no grant
    for (int i = 0; i < 5; i++) cycle('0, 1'b1, g);

    // 2. all request, ack every cycle: strict rotation 0,1,..,N-1,0,..
    clear_stats();
    prev = N - 1;
    for (int i = 0; i < 4 * N; i++) begin
      cycle('1, 1'b1, g);
      if (g != (prev + 1) % N) err(10);
      prev = g;
    end
    for (int i = 0; i < N; i++) if (n_grants[i] != 4) err(11);

    // 3. ack low freezes the pointer: same grant every cycle
    cycle('1, 1'b0, prev);
    for (int i = 0; i < 5; i++) begin
      cycle('1, 1'b0, g);
      if (g != prev) err(12);
    end

    // 4. single requester gets granted back to back
    for (int i = 0; i < 3; i++) begin
      cycle(N'(1) << (N - 1), 1'b1, g);
      if (g != N - 1) err(13);
    end

    // 5. random persistent traffic, always ack, then random ack
    clear_stats();
    persistent_traffic(600, 30, 100, 30);
    if (max_others > N - 1) err(20);
    clear_stats();
    persistent_traffic(600, 50, 60, 50);
    if (max_others > N - 1) err(21);
    clear_stats();
    persistent_traffic(300, 100, 100, 100);   // saturated
    if (max_others != N - 1) err(22);         // bound is reached, not exceeded
    for (int i = 0; i < N; i++)               // and service is equal
      if (n_grants[i] < 300 / N - 1 || n_grants[i] > 300 / N + 1) err(23);

    // 6. completely random req/ack (model check only)
    for (int i = 0; i < 400; i++) cycle(N'(rnd()), 1'(rnd()), g);

    // 7. reset restores priority to requester 0
    cycle('1, 1'b1, g);
    cycle('1, 1'b1, g);
    do_reset();
    cycle('1, 1'b1, g);
    if (g != 0) err(30);

    req = '0; ack = 1'b0;
    done = 1'b1;
  end
endmodule

module tb_rr_arbiter;
  logic clk = 1'b0;
  always #5 clk = ~clk;

  int   err4, err5, err8;
  logic done4, done5, done8;

  rr_arbiter_env #(.N(4), .SEED(32'h0000_BEEF)) env_n4 (.clk(clk), .errors(err4), .done(done4));
  rr_arbiter_env #(.N(5), .SEED(32'h00C0_FFEE)) env_n5 (.clk(clk), .errors(err5), .done(done5));
  rr_arbiter_env #(.N(8), .SEED(32'hFACE_0001)) env_n8 (.clk(clk), .errors(err8), .done(done8));

  initial begin
    wait (done4 === 1'b1 && done5 === 1'b1 && done8 === 1'b1);
    #1;
    if (err4 + err5 + err8 == 0) $display("PASS");
    else                         $display("FAIL: %0d errors", err4 + err5 + err8);
    $finish;
  end

  initial begin
    #200_000;
    $display("FAIL: timeout");
    $finish;
  end
endmodule
