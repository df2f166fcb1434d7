// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// Self-checking smoke testbench for uart.
//
//  * TX is looped back into RX; every byte accepted by TX must be received
//    in order (scoreboard) at clks_per_bit = 16, 7 and 5
//  * an independent line monitor decodes the TX pin cycle by cycle: start
//    bit, 8 data bits LSB first, stop bit, each exactly clks_per_bit cycles,
//    and back-to-back frames exactly 10*clks_per_bit cycles apart
//  * with loopback off the tb bit-bangs RX: good frames, a frame with a 0
//    stop bit (framing error, no data), a long break (exactly one framing
//    error), a short glitch (ignored) and +/-3 % baud mismatch (received)
//  * reset state, and reset in the middle of a transmission
// Prints exactly "PASS" or "FAIL: <n> errors" and calls $finish.
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module tb_uart;
  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic        rst_n;
  logic [15:0] cpb;
  logic [7:0]  tx_data;
  logic        tx_valid;
  logic        tx_ready, tx_busy, tx;
  logic [7:0]  rx_data;
  logic        rx_valid, rx_frame_err, rx_busy;
  logic        loopback, bb_line;
  wire         rx_line = loopback ? tx : bb_line;

  uart #(.DIV_WIDTH(16)) dut (
    .clk(clk), .rst_n(rst_n), .clks_per_bit(cpb),
    .tx_data(tx_data), .tx_valid(tx_valid), .tx_ready(tx_ready), .tx_busy(tx_busy),
    .rx_data(rx_data), .rx_valid(rx_valid), .rx_frame_err(rx_frame_err), .rx_busy(rx_busy),
    .tx(tx), .rx(rx_line)
  );

  int errors = 0;
  int cyc    = 0;
  always @(posedge clk) cyc <= cyc + 1;

  task automatic err(input int code);
    errors++;
    if (errors <= 10) $display("ERROR [uart] t=%0t code=%0d", $time, code);
  endtask

  logic [31:0] rng = 32'hACE1_2468;
  function automatic logic [7:0] rnd8();
    rng = rng ^ (rng << 13);
    rng = rng ^ (rng >> 17);
    rng = rng ^ (rng << 5);
    return rng[7:0];
  endfunction

  // ---------------- RX scoreboard ----------------
  logic [7:0] rxq [0:511];
  int         rxq_wr = 0, rxq_rd = 0;
  int         n_ferr = 0, exp_ferr = 0;

  always @(negedge clk) begin
    if (rst_n) begin
      if (rx_valid && rx_frame_err) err(1);
      if (rx_valid) begin
        if (rxq_rd >= rxq_wr) err(2);                 // unexpected byte
        else if (rx_data !== rxq[rxq_rd]) begin
          err(3);
          $display("  rx got %h expected %h", rx_data, rxq[rxq_rd]);
        end
        rxq_rd++;
      end
      if (rx_frame_err) n_ferr++;
    end
  end

  // ---------------- TX line monitor (independent decoder) ----------------
  logic [7:0] txq [0:511];
  logic       b2b [0:511];      // frame was pushed back-to-back after previous
  int         start_at [0:511];
  int         txq_wr = 0, txq_rd = 0;
  logic       mon_en = 1'b1;

  always begin : line_monitor
    @(negedge clk);
    if (rst_n && mon_en && tx === 1'b0) begin
      logic [9:0] bits;
      int         c;
      c = int'(cpb);
      start_at[txq_rd] = cyc;
      if (txq_rd >= txq_wr) err(10);                  // frame nobody sent
      if (txq_rd > 0 && b2b[txq_rd] && (cyc - start_at[txq_rd-1]) != 10 * c) begin
        err(11);
        $display("  frame spacing %0d expected %0d", cyc - start_at[txq_rd-1], 10 * c);
      end
      for (int k = 0; k < 10 * c; k++) begin
        if (k % c == 0) bits[k / c] = tx;
        else if (tx !== bits[k / c]) err(12);         // bit not stable for a full bit time
        if (k != 10 * c - 1) @(negedge clk);
      end
      if (bits[0] !== 1'b0) err(13);
      if (bits[9] !== 1'b1) err(14);
      if (bits[8:1] !== txq[txq_rd]) begin
        err(15);
        $display("  tx line %h expected %h", bits[8:1], txq[txq_rd]);
      end
      txq_rd++;
    end
  end

  // ---------------- stimulus helpers ----------------
  // Send one byte through the TX handshake; call right after a falling edge.
  task automatic send(input logic [7:0] b, input logic keep_valid);
    tx_data  = b;
    tx_valid = 1'b1;
    b2b[txq_wr] = tx_busy;             // previous frame still on the line
    while (!tx_ready) @(negedge clk);  // accepted at the next rising edge
    txq[txq_wr] = b;
    txq_wr++;
    if (loopback) begin
      rxq[rxq_wr] = b;
      rxq_wr++;
    end
    @(negedge clk);
    if (!keep_valid) tx_valid = 1'b0;
  endtask

  task automatic idle(input int n);
    repeat (n) @(negedge clk);
  endtask

  task automatic wait_rx_done;
    int guard;
    guard = 0;
    while ((rxq_rd != rxq_wr || txq_rd != txq_wr || tx_busy || rx_busy) && guard < 20000) begin
      @(negedge clk);
      guard++;
    end
    if (guard >= 20000) err(20);
    idle(5);
  endtask

  // Bit-bang one frame onto the RX input with an arbitrary bit time.
  task automatic bb_frame(input logic [7:0] b, input logic stop_bit, input int cycles_per_bit);
    logic [9:0] f;
    f = {stop_bit, b, 1'b0};
    for (int i = 0; i < 10; i++) begin
      bb_line = f[i];
      repeat (cycles_per_bit) @(negedge clk);
    end
    bb_line = 1'b1;
  endtask

  task automatic expect_rx(input logic [7:0] b);
    rxq[rxq_wr] = b;
    rxq_wr++;
  endtask

  task automatic loop_traffic(input int c, input int n_burst);
    cpb = 16'(c);
    idle(2);
    // isolated frames with corner-case patterns
    send(8'h55, 1'b0); idle(3 * c);
    send(8'h00, 1'b0); idle(c);
    send(8'hFF, 1'b0); idle(17);
    send(8'h80, 1'b0);
    send(8'h01, 1'b0);                 // right after: waits for ready
    // back-to-back burst with valid held high
    for (int i = 0; i < n_burst; i++) send(rnd8(), (i != n_burst - 1));
    wait_rx_done();
  endtask

  // ---------------- main sequence ----------------
  initial begin
    rst_n = 1'b0; cpb = 16'd16; tx_data = '0; tx_valid = 1'b0;
    loopback = 1'b1; bb_line = 1'b1;
    idle(3);
    rst_n = 1'b1;
    idle(1);
    // 1. reset state
    if (tx !== 1'b1 || tx_ready !== 1'b1 || tx_busy !== 1'b0) err(30);
    if (rx_valid !== 1'b0 || rx_frame_err !== 1'b0 || rx_busy !== 1'b0) err(31);

    // 2. loopback at three bit times, including odd values
    loop_traffic(16, 20);
    loop_traffic(7, 30);
    loop_traffic(5, 25);

    // 3. RX error cases, line driven by the testbench
    loopback = 1'b0;
    cpb = 16'd16;
    idle(5);
    expect_rx(8'h3C); bb_frame(8'h3C, 1'b1, 16); idle(20);
    exp_ferr++;       bb_frame(8'hA7, 1'b0, 16); idle(40);   // stop bit = 0
    if (n_ferr != exp_ferr) err(40);
    expect_rx(8'hC3); bb_frame(8'hC3, 1'b1, 16); idle(20);
    // break: line low for 25 bit times -> exactly one framing error
    exp_ferr++;
    bb_line = 1'b0; idle(25 * 16); bb_line = 1'b1; idle(40);
    if (n_ferr != exp_ferr) err(41);
    // glitch shorter than half a bit -> ignored
    bb_line = 1'b0; idle(4); bb_line = 1'b1; idle(40);
    if (rx_busy) err(42);
    expect_rx(8'h81); bb_frame(8'h81, 1'b1, 16); idle(20);
    // baud mismatch of about +/-3 % (bit time 32, line at 33 and 31)
    cpb = 16'd32;
    expect_rx(8'h5A); bb_frame(8'h5A, 1'b1, 33); idle(40);
    expect_rx(8'h69); bb_frame(8'h69, 1'b1, 31); idle(40);
    cpb = 16'd16;
    // back-to-back bit-banged frames (no idle time between them)
    for (int i = 0; i < 8; i++) begin
      logic [7:0] b;
      b = rnd8();
      expect_rx(b);
      bb_frame(b, 1'b1, 16);
    end
    wait_rx_done();
    if (n_ferr != exp_ferr) err(43);

    // 4. reset in the middle of a transmission
    mon_en = 1'b0;
    send(8'h42, 1'b0);
    idle(5 * 16);
    if (tx_busy !== 1'b1) err(50);
    rst_n = 1'b0;
    idle(2);
    if (tx !== 1'b1 || tx_busy !== 1'b0 || tx_ready !== 1'b1) err(51);
    rst_n = 1'b1;
    txq_rd = txq_wr;                   // aborted frame is not checked
    idle(2 * 16);
    mon_en = 1'b1;
    loopback = 1'b1;
    idle(2);
    send(8'hE7, 1'b0);
    send(8'h18, 1'b0);
    wait_rx_done();

    // 5. final accounting
    if (rxq_rd != rxq_wr)  err(60);
    if (txq_rd != txq_wr)  err(61);
    if (n_ferr != exp_ferr) err(62);
    if (rxq_wr < 80)       err(63);

    if (errors == 0) $display("PASS");
    else             $display("FAIL: %0d errors", errors);
    $finish;
  end

  initial begin
    #1_000_000;
    $display("FAIL: timeout");
    $finish;
  end
endmodule
