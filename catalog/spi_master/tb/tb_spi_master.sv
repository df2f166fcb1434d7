// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// Self-checking smoke testbench for spi_master.
//
// A behavioural SPI slave (written from the SPI mode definitions, not from
// the RTL) exchanges random bytes with the master in all four modes and with
// several clock dividers. Checked for every transfer:
//  * master rx_data == byte sent by the slave, slave rx == master tx_data
//  * exactly 2*N SCLK edges, N bits, each SCLK half period == clk_div cycles
//    (0 treated as 1), CS set-up / hold / high time >= one half period
//  * SCLK idles at CPOL, one done pulse per transfer, busy while active
//  * start while busy is ignored, back-to-back transfers, reset mid-transfer
// Prints exactly "PASS" or "FAIL: <n> errors" and calls $finish.
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module tb_spi_master;
  localparam int N = 8;

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic         rst_n;
  logic         cpol, cpha;
  logic [7:0]   clk_div;
  logic         start;
  logic [N-1:0] tx_data, rx_data;
  logic         busy, done;
  logic         sclk, mosi, cs_n, miso;

  spi_master #(.DATA_WIDTH(N), .DIV_WIDTH(8)) dut (
    .clk(clk), .rst_n(rst_n), .cpol(cpol), .cpha(cpha), .clk_div(clk_div),
    .start(start), .tx_data(tx_data), .busy(busy), .done(done), .rx_data(rx_data),
    .sclk(sclk), .mosi(mosi), .cs_n(cs_n), .miso(miso)
  );

  int errors = 0;
  int cyc    = 0;
  always @(posedge clk) cyc <= cyc + 1;

  task automatic err(input int code);
    errors++;
    if (errors <= 10)
      $display("ERROR [spi_master] t=%0t code=%0d mode=%0d div=%0d", $time, code, {cpol, cpha}, clk_div);
  endtask

  logic [31:0] rng = 32'h5EED_1234;
  function automatic logic [31:0] rnd();
    rng = rng ^ (rng << 13);
    rng = rng ^ (rng >> 17);
    rng = rng ^ (rng << 5);
    return rng;
  endfunction

  // ---------------- behavioural SPI slave ----------------
  logic [N-1:0] slave_tx_next;      // byte the slave will send next
  logic [N-1:0] s_tx_sr, s_rx_sr;
  logic [N-1:0] s_last_rx;          // published at CS rising edge
  int           s_bits, s_edges, s_last_bits, s_last_edges;
  int           s_last_edge_cyc, s_cs_fall_cyc, s_cs_rise_cyc;
  int           s_min_half, s_max_half, s_min_setup, s_min_hold, s_min_cs_high;
  int           n_cs_fall = 0, n_cs_rise = 0;
  logic         s_miso;
  assign miso = s_miso;

  always @(negedge cs_n) begin
    if (rst_n) begin
      n_cs_fall++;
      if (n_cs_rise > 0 && (cyc - s_cs_rise_cyc) < s_min_cs_high) s_min_cs_high = cyc - s_cs_rise_cyc;
      s_cs_fall_cyc   = cyc;
      s_last_edge_cyc = -1;
      s_tx_sr = slave_tx_next;
      s_rx_sr = '0;
      s_bits  = 0;
      s_edges = 0;
      s_miso  = s_tx_sr[N-1];       // first bit is valid before any edge
    end
  end

  always @(sclk) begin
    if (!cs_n && rst_n) begin
      logic lead;
      lead = (sclk != cpol);
      s_edges++;
      if (s_last_edge_cyc < 0) begin
        if (cyc - s_cs_fall_cyc < s_min_setup) s_min_setup = cyc - s_cs_fall_cyc;
      end else begin
        if (cyc - s_last_edge_cyc < s_min_half) s_min_half = cyc - s_last_edge_cyc;
        if (cyc - s_last_edge_cyc > s_max_half) s_max_half = cyc - s_last_edge_cyc;
      end
      s_last_edge_cyc = cyc;
      if (cpha == 1'b0) begin
        if (lead) begin                          // sample
          s_rx_sr = {s_rx_sr[N-2:0], mosi};
          s_bits++;
        end else begin                           // shift out next bit
          s_tx_sr = {s_tx_sr[N-2:0], 1'b0};
          s_miso  = s_tx_sr[N-1];
        end
      end else begin
        if (lead) begin                          // shift out (first: MSB)
          if (s_edges > 1) s_tx_sr = {s_tx_sr[N-2:0], 1'b0};
          s_miso = s_tx_sr[N-1];
        end else begin                           // sample
          s_rx_sr = {s_rx_sr[N-2:0], mosi};
          s_bits++;
        end
      end
    end
  end

  always @(posedge cs_n) begin
    if (rst_n) begin
      n_cs_rise++;
      s_cs_rise_cyc = cyc;
      if (s_last_edge_cyc >= 0 && (cyc - s_last_edge_cyc) < s_min_hold) s_min_hold = cyc - s_last_edge_cyc;
      s_last_rx    = s_rx_sr;
      s_last_bits  = s_bits;
      s_last_edges = s_edges;
    end
  end

  // ---------------- protocol monitors ----------------
  int n_done = 0;
  logic check_idle_level = 1'b1;
  always @(negedge clk) begin
    if (rst_n) begin
      if (done) n_done++;
      if (done && !busy) err(1);
      if (!cs_n && !busy) err(2);
      if (cs_n && check_idle_level && sclk !== cpol) err(3);
    end
  end

  // ---------------- master driver ----------------
  task automatic reset_stats;
    s_min_half = 1 << 30; s_max_half = 0;
    s_min_setup = 1 << 30; s_min_hold = 1 << 30; s_min_cs_high = 1 << 30;
  endtask

  task automatic check_stats(input int div);
    int d;
    d = (div == 0) ? 1 : div;
    if (s_min_half != d || s_max_half != d) begin
      err(20);
      $display("  half period min %0d max %0d expected %0d", s_min_half, s_max_half, d);
    end
    if (s_min_setup < d) err(21);
    if (s_min_hold  < d) err(22);
    if (s_min_cs_high < d && s_min_cs_high != (1 << 30)) err(23);
  endtask

  // one transfer, called after a falling edge with busy low
  task automatic xfer(input logic [N-1:0] m_tx, input logic [N-1:0] s_tx, input logic poke);
    int guard, done0, fall0;
    done0 = n_done;
    fall0 = n_cs_fall;
    slave_tx_next = s_tx;
    tx_data = m_tx;
    start   = 1'b1;
    @(negedge clk);
    start   = 1'b0;
    tx_data = ~m_tx;
    if (!busy) err(30);
    if (poke) begin                   // start while busy must be ignored
      repeat (3) @(negedge clk);
      start = 1'b1;
      @(negedge clk);
      start = 1'b0;
    end
    guard = 0;
    while (!done && guard < 5000) begin @(negedge clk); guard++; end
    if (guard >= 5000) err(31);
    if (rx_data !== s_tx) begin
      err(32);
      $display("  master rx %h expected %h", rx_data, s_tx);
    end
    if (s_last_rx !== m_tx) begin
      err(33);
      $display("  slave rx %h expected %h", s_last_rx, m_tx);
    end
    if (s_last_bits != N || s_last_edges != 2 * N) err(34);
    if (cs_n !== 1'b1) err(35);
    @(negedge clk);
    if (n_done != done0 + 1) err(36);
    while (busy) @(negedge clk);      // back-to-back: next start right away
    if (n_cs_fall != fall0 + 1) err(37);
  endtask

  task automatic set_mode(input logic p, input logic h, input logic [7:0] d);
    check_idle_level = 1'b0;
    cpol = p; cpha = h; clk_div = d;
    repeat (2) @(negedge clk);
    check_idle_level = 1'b1;
    if (sclk !== p || cs_n !== 1'b1 || busy) err(40);
  endtask

  int n_xfers = 0;
  logic [7:0] divs [0:3];

  initial begin
    divs[0] = 8'd1; divs[1] = 8'd2; divs[2] = 8'd5; divs[3] = 8'd0;
    rst_n = 1'b0; cpol = 1'b0; cpha = 1'b0; clk_div = 8'd1;
    start = 1'b0; tx_data = '0; slave_tx_next = '0; s_miso = 1'b0;
    reset_stats();
    repeat (3) @(negedge clk);
    rst_n = 1'b1;
    @(negedge clk);
    if (cs_n !== 1'b1 || busy !== 1'b0 || done !== 1'b0 || sclk !== 1'b0) err(50);

    // 1. all modes x dividers, random data, back-to-back, with start pokes
    for (int m = 0; m < 4; m++) begin
      for (int di = 0; di < 4; di++) begin
        set_mode(m[1], m[0], divs[di]);
        reset_stats();
        xfer(8'hA5, 8'h3C, 1'b0);
        xfer(8'h00, 8'hFF, 1'b0);
        xfer(8'hFF, 8'h00, 1'b1);
        for (int k = 0; k < 4; k++) xfer(N'(rnd()), N'(rnd()), (k == 2));
        check_stats(int'(divs[di]));
        n_xfers += 7;
      end
    end

    // 2. reset in the middle of a transfer
    set_mode(1'b1, 1'b0, 8'd3);
    slave_tx_next = 8'h99;
    tx_data = 8'h66;
    start = 1'b1;
    @(negedge clk);
    start = 1'b0;
    repeat (20) @(negedge clk);
    if (cs_n !== 1'b0) err(60);
    check_idle_level = 1'b0;
    rst_n = 1'b0;
    @(negedge clk);
    if (cs_n !== 1'b1 || busy !== 1'b0 || done !== 1'b0) err(61);
    rst_n = 1'b1;
    n_cs_rise = n_cs_fall;             // the aborted transfer is not scored
    repeat (2) @(negedge clk);
    if (sclk !== 1'b1) err(62);        // back to the CPOL idle level
    check_idle_level = 1'b1;
    reset_stats();
    xfer(8'h5A, 8'hC3, 1'b0);
    xfer(8'h81, 8'h18, 1'b0);
    check_stats(3);
    n_xfers += 2;

    // 3. accounting
    repeat (10) @(negedge clk);
    if (n_done != n_xfers)    err(70);
    if (n_cs_fall != n_xfers + 1) err(71);

    if (errors == 0) $display("PASS");
    else             $display("FAIL: %0d errors", errors);
    $finish;
  end

  initial begin
    #500_000;
    $display("FAIL: timeout");
    $finish;
  end
endmodule
