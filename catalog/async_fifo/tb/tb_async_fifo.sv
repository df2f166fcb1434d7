// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// Self-checking smoke testbench for async_fifo (16 bit x 8 entries).
//
// Writer and reader run in their own clock domains with co-prime clock
// periods (later swapped so the reader is faster). Item k always carries
// data pattern(k), so the reader checks every word against the expected
// sequence (in-order, no loss, no duplication). Additional checks:
// reset state, exactly DEPTH words accepted before wr_full, drain to
// rd_empty, no overflow/underflow (flags never optimistic), occupancy levels
// when quiescent, flush by reset while non-empty.
// Prints exactly "PASS" or "FAIL: <n> errors" and calls $finish.
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module tb_async_fifo;
  localparam int WIDTH = 16;
  localparam int AW    = 3;
  localparam int DEPTH = 1 << AW;

  logic wr_clk = 1'b0, rd_clk = 1'b0;
  int   wr_half = 5, rd_half = 7;
  always #(wr_half) wr_clk = ~wr_clk;
  always #(rd_half) rd_clk = ~rd_clk;

  logic             wr_rst_n, rd_rst_n;
  logic             wr_en, rd_en;
  logic [WIDTH-1:0] wr_data, rd_data;
  logic             wr_full, rd_empty;
  logic [AW:0]      wr_level, rd_level;

  async_fifo #(.WIDTH(WIDTH), .ADDR_WIDTH(AW), .SYNC_STAGES(2)) dut (
    .wr_clk(wr_clk), .wr_rst_n(wr_rst_n), .wr_en(wr_en), .wr_data(wr_data),
    .wr_full(wr_full), .wr_level(wr_level),
    .rd_clk(rd_clk), .rd_rst_n(rd_rst_n), .rd_en(rd_en), .rd_data(rd_data),
    .rd_empty(rd_empty), .rd_level(rd_level)
  );

  int errors = 0;
  int wr_cnt = 0, rd_cnt = 0;        // accepted writes / reads
  int wr_drop = 0, rd_drop = 0;      // attempts while full / empty
  int w_pct = 0, r_pct = 0;          // traffic intensity in percent

  function automatic logic [WIDTH-1:0] pattern(input int k);
    logic [31:0] h;
    h = k * 32'h9E37_79B1;
    return h[31:16] ^ WIDTH'(k);
  endfunction

  logic [31:0] wrng = 32'h1357_9BDF, rrng = 32'h2468_ACE0;
  function automatic logic [31:0] xs(input logic [31:0] x);
    x = x ^ (x << 13);
    x = x ^ (x >> 17);
    x = x ^ (x << 5);
    return x;
  endfunction

  task automatic err(input int code);
    errors++;
    if (errors <= 10)
      $display("ERROR [async_fifo] t=%0t code=%0d wr_cnt=%0d rd_cnt=%0d full=%b empty=%b wr_level=%0d rd_level=%0d rd_data=%h exp=%h",
               $time, code, wr_cnt, rd_cnt, wr_full, rd_empty, wr_level, rd_level, rd_data, pattern(rd_cnt));
  endtask

  // ---------------- writer (drives on falling edge, flags are stable) -------
  always @(negedge wr_clk) begin
    if (!wr_rst_n) begin
      wr_en   <= 1'b0;
      wr_data <= '0;
      wr_cnt  = 0;
      wr_drop = 0;
    end else begin
      logic w;
      int   wc;
      wrng = xs(wrng);
      w  = (wrng % 100) < w_pct;
      wc = wr_cnt;
      // !full must mean there is really room (flags may be pessimistic only)
      if (!wr_full && (wr_cnt - rd_cnt) >= DEPTH) err(1);
      // wr_level is pessimistic: never below the real occupancy
      if (int'(wr_level) < wr_cnt - rd_cnt)       err(5);
      if (!wr_full && int'(wr_level) >= DEPTH)    err(6);
      if (w && !wr_full) wr_cnt = wr_cnt + 1;
      if (w &&  wr_full) wr_drop++;
      wr_en   <= w;
      wr_data <= w ? pattern(wc) : ~pattern(wc);   // dropped writes carry junk
    end
  end

  // ---------------- reader (checks FWFT data on falling edge) ---------------
  always @(negedge rd_clk) begin
    if (!rd_rst_n) begin
      rd_en   <= 1'b0;
      rd_cnt  = 0;
      rd_drop = 0;
    end else begin
      logic r;
      rrng = xs(rrng);
      r = (rrng % 100) < r_pct;
      // !empty must mean there is really data
      if (!rd_empty && rd_cnt >= wr_cnt) err(2);
      // rd_level is pessimistic: never above the real occupancy
      if (int'(rd_level) > wr_cnt - rd_cnt)      err(7);
      if (!rd_empty && rd_level == '0)           err(8);
      if (r && !rd_empty) begin
        if (rd_data !== pattern(rd_cnt)) err(3);
        rd_cnt = rd_cnt + 1;
      end
      if (r && rd_empty) rd_drop++;
      rd_en <= r;
    end
  end

  task automatic quiesce_and_check_levels(input int code);
    w_pct = 0; r_pct = 0;
    repeat (8) @(posedge rd_clk);
    repeat (8) @(posedge wr_clk);
    if (wr_level !== (AW+1)'(wr_cnt - rd_cnt)) err(code);
    if (rd_level !== (AW+1)'(wr_cnt - rd_cnt)) err(code + 1);
    if (rd_empty !== (wr_cnt == rd_cnt))       err(code + 2);
    if (wr_full  !== (wr_cnt - rd_cnt == DEPTH)) err(code + 3);
  endtask

  task automatic run_items(input int wp, input int rp, input int n);
    int target;
    target = wr_cnt + n;
    w_pct = wp; r_pct = rp;
    wait (wr_cnt >= target);
  endtask

  task automatic drain;
    w_pct = 0; r_pct = 100;
    wait (rd_cnt == wr_cnt);
    quiesce_and_check_levels(60);
  endtask

  task automatic reset_both;
    #3;                                   // asynchronous assertion
    wr_rst_n = 1'b0; rd_rst_n = 1'b0;
    #1;
    if (rd_empty !== 1'b1 || wr_full !== 1'b0) err(40);
    if (wr_level !== '0 || rd_level !== '0)    err(41);
    repeat (3) @(posedge rd_clk);
    repeat (3) @(posedge wr_clk);
    @(posedge wr_clk); #1 wr_rst_n = 1'b1;  // releases in different domains
    @(posedge rd_clk); #1 rd_rst_n = 1'b1;
    repeat (4) @(posedge rd_clk);
    if (rd_empty !== 1'b1 || wr_full !== 1'b0) err(42);
    if (wr_cnt != 0 || rd_cnt != 0)            err(43);
  endtask

  initial begin
    wr_rst_n = 1'b1; rd_rst_n = 1'b1;    // real falling edge below
    wr_en = 1'b0; rd_en = 1'b0; wr_data = '0;
    reset_both();

    // 1. fill: reader idle; exactly DEPTH words must be accepted
    w_pct = 100; r_pct = 0;
    wait (wr_full === 1'b1);
    repeat (20) @(posedge wr_clk);       // keep pushing while full
    if (wr_cnt != DEPTH) err(10);
    if (wr_drop < 10)    err(11);
    quiesce_and_check_levels(12);

    // 2. drain: exactly DEPTH words come out, then empty
    r_pct = 100;
    wait (rd_empty === 1'b1 && rd_cnt > 0);
    repeat (10) @(posedge rd_clk);       // keep popping while empty
    if (rd_cnt != DEPTH) err(20);
    if (rd_drop < 5)     err(21);
    quiesce_and_check_levels(22);

    // 3. streaming, writer faster than reader
    run_items(100, 100, 300);
    run_items(60, 100, 200);
    run_items(100, 30, 150);
    quiesce_and_check_levels(30);
    run_items(35, 35, 150);
    drain();

    // 4. swap clock ratio: reader faster than writer
    wr_half = 9; rd_half = 4;
    run_items(100, 100, 300);
    run_items(100, 20, 100);
    run_items(50, 90, 200);
    drain();

    // 5. flush with reset while holding data, then reuse
    run_items(100, 0, 5);
    w_pct = 0;
    repeat (5) @(posedge rd_clk);
    if (rd_empty) err(50);
    reset_both();
    run_items(70, 70, 100);
    drain();

    if (errors == 0) $display("PASS");
    else             $display("FAIL: %0d errors", errors);
    $finish;
  end

  initial begin
    #400_000;
    $display("FAIL: timeout");
    $finish;
  end
endmodule
