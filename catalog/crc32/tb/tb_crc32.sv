// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// Self-checking smoke testbench for crc32.
//
// Reference model: table-driven CRC-32 (different algorithm from the RTL's
// bit-serial loop), itself verified against published check values.
// After EVERY clock the DUT's crc / crc_state / residue_ok are compared with
// the model. Covered: known-answer vectors ("123456789" -> 0xCBF43926, empty,
// "a", "abc", the quick brown fox, 32 x 0x00, 32 x 0xFF), random messages
// with random idle gaps, back-to-back messages (init together with the first
// byte), init in the middle of a message, frame check (message + CRC gives
// residue_ok / 0x2144DF1C, a corrupted frame does not), reset.
// Prints exactly "PASS" or "FAIL: <n> errors" and calls $finish.
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module tb_crc32;
  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic        rst_n, init, data_valid;
  logic [7:0]  data;
  logic [31:0] crc, crc_state;
  logic        residue_ok;

  crc32 dut (
    .clk(clk), .rst_n(rst_n), .init(init), .data_valid(data_valid), .data(data),
    .crc(crc), .crc_state(crc_state), .residue_ok(residue_ok)
  );

  int errors = 0;
  int n_bytes = 0, n_msgs = 0, n_residue = 0;

  task automatic err(input int code);
    errors++;
    if (errors <= 10)
      $display("ERROR [crc32] t=%0t code=%0d crc=%h crc_state=%h residue_ok=%b model_state=%h",
               $time, code, crc, crc_state, residue_ok, mstate);
  endtask

  logic [31:0] rng = 32'hC3C3_5A5A;
  function automatic logic [31:0] rnd();
    rng = rng ^ (rng << 13);
    rng = rng ^ (rng >> 17);
    rng = rng ^ (rng << 5);
    return rng;
  endfunction

  // ---------------- table-driven reference ----------------
  logic [31:0] tbl [0:255];
  logic [31:0] mstate;

  task automatic build_table;
    logic [31:0] c;
    for (int n = 0; n < 256; n++) begin
      c = 32'(n);
      for (int k = 0; k < 8; k++) c = c[0] ? ((c >> 1) ^ 32'hEDB8_8320) : (c >> 1);
      tbl[n] = c;
    end
  endtask

  function automatic logic [31:0] ref_update(input logic [31:0] c, input logic [7:0] b);
    return tbl[(c[7:0] ^ b)] ^ (c >> 8);
  endfunction

  // ---------------- message buffer ----------------
  logic [7:0] msg [0:299];
  int         msg_len;

  function automatic logic [31:0] ref_crc_of_msg();
    logic [31:0] c;
    c = 32'hFFFF_FFFF;
    for (int i = 0; i < msg_len; i++) c = ref_update(c, msg[i]);
    return ~c;
  endfunction

  task automatic check_dut;
    if (crc_state !== mstate)            err(1);
    if (crc !== ~mstate)                 err(2);
    if (residue_ok !== (mstate == 32'hDEBB_20E3)) err(3);
  endtask

  // one clock: drive at the falling edge, update model, check at next falling edge
  task automatic cycle(input logic i, input logic v, input logic [7:0] d);
    init = i; data_valid = v; data = d;
    @(negedge clk);
    if (v) begin
      mstate = ref_update(i ? 32'hFFFF_FFFF : mstate, d);
      n_bytes++;
    end else if (i) begin
      mstate = 32'hFFFF_FFFF;
    end
    if (mstate == 32'hDEBB_20E3) n_residue++;
    check_dut();
    init = 1'b0; data_valid = 1'b0; data = 8'(rnd());        // junk while idle
  endtask

  // stream msg[0..msg_len-1]; gap_pct = chance of an idle cycle before a byte;
  // merge_init = put init on the first byte instead of a separate cycle
  task automatic send_msg(input int gap_pct, input logic merge_init);
    if (!merge_init || msg_len == 0) cycle(1'b1, 1'b0, 8'h00);
    for (int i = 0; i < msg_len; i++) begin
      while ((rnd() % 100) < gap_pct) cycle(1'b0, 1'b0, 8'(rnd()));
      cycle(merge_init && i == 0, 1'b1, msg[i]);
    end
    n_msgs++;
  endtask

  task automatic kat_string(input logic [8*64-1:0] s, input int len, input logic [31:0] expected);
    msg_len = len;
    for (int i = 0; i < len; i++) msg[i] = s[8*(len-1-i) +: 8];
    if (ref_crc_of_msg() !== expected) err(10);                 // model self-check
    send_msg(20, 1'b0);
    if (crc !== expected) begin
      err(11);
      $display("  crc %h expected %h", crc, expected);
    end
  endtask

  task automatic kat_fill(input logic [7:0] b, input int len, input logic [31:0] expected);
    msg_len = len;
    for (int i = 0; i < len; i++) msg[i] = b;
    if (ref_crc_of_msg() !== expected) err(12);
    send_msg(0, 1'b1);
    if (crc !== expected) err(13);
  endtask

  task automatic random_msg(input int max_len);
    msg_len = int'(rnd() % (max_len + 1));
    for (int i = 0; i < msg_len; i++) msg[i] = 8'(rnd());
  endtask

  initial begin
    build_table();
    rst_n = 1'b0; init = 1'b0; data_valid = 1'b1; data = 8'h55;   // ignored in reset
    mstate = 32'hFFFF_FFFF;
    repeat (2) @(negedge clk);
    rst_n = 1'b1;
    data_valid = 1'b0;
    // 1. reset state: crc of nothing is 0
    check_dut();
    if (crc !== 32'h0) err(20);

    // 2. known-answer tests
    kat_string("123456789", 9, 32'hCBF4_3926);
    kat_string("", 0, 32'h0000_0000);
    kat_string("a", 1, 32'hE8B7_BE43);
    kat_string("abc", 3, 32'h3524_41C2);
    kat_string("The quick brown fox jumps over the lazy dog", 43, 32'h414F_A339);
    kat_fill(8'h00, 32, 32'h190A_55AD);
    kat_fill(8'hFF, 32, 32'hFF6C_AB0B);
    kat_fill(8'h00, 1, 32'hD202_EF8D);

    // 3. frame check: message + its CRC (LSB first) -> residue
    kat_string("123456789", 9, 32'hCBF4_3926);
    msg[9]  = 8'h26; msg[10] = 8'h39; msg[11] = 8'hF4; msg[12] = 8'hCB;
    msg_len = 13;
    send_msg(0, 1'b0);
    if (residue_ok !== 1'b1 || crc !== 32'h2144_DF1C) err(30);
    for (int t = 0; t < 20; t++) begin
      logic [31:0] c;
      random_msg(60);
      c = ref_crc_of_msg();
      for (int k = 0; k < 4; k++) msg[msg_len + k] = c[8*k +: 8];
      msg_len += 4;
      if (t % 2 == 1) begin                   // corrupt one random bit
        int p;
        p = int'(rnd() % msg_len);
        msg[p] = msg[p] ^ (8'h01 << (rnd() % 8));
        send_msg(10, 1'b1);
        if (residue_ok !== 1'b0) err(31);
      end else begin
        send_msg(10, 1'b1);
        if (residue_ok !== 1'b1) err(32);
      end
    end

    // 4. random messages, random gaps, separate or merged init
    for (int t = 0; t < 150; t++) begin
      random_msg(48);
      send_msg(int'(rnd() % 40), 1'(rnd()));
      if (crc !== ref_crc_of_msg()) err(40);
    end

    // 5. init in the middle of a message restarts the CRC
    random_msg(20);
    send_msg(0, 1'b0);
    kat_string("123456789", 9, 32'hCBF4_3926);
    // init held with idle cycles, then data
    cycle(1'b1, 1'b0, 8'h00);
    cycle(1'b1, 1'b0, 8'h00);
    cycle(1'b0, 1'b1, 8'h61);                 // "a"
    if (crc !== 32'hE8B7_BE43) err(50);

    // 6. reset in the middle of a message
    cycle(1'b0, 1'b1, 8'h62);
    rst_n = 1'b0;
    data_valid = 1'b1;
    @(negedge clk);
    rst_n = 1'b1;
    data_valid = 1'b0;
    mstate = 32'hFFFF_FFFF;
    check_dut();
    kat_string("abc", 3, 32'h3524_41C2);

    if (n_msgs < 150 || n_bytes < 3000 || n_residue < 10) err(60);
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
