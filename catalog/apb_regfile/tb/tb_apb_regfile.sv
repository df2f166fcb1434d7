// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// Self-checking smoke testbench for apb_regfile.
// Two environments run in parallel: 8 registers with 0 wait states and
// 5 registers with 2 wait states. An APB3 master task drives SETUP/ACCESS
// phases (back-to-back and with idle cycles) and every transfer is checked
// against a register model: read data, PSLVERR, number of wait states, and
// the exported regs_o bus. Covered: reset values, read-only ID, writes to
// ID, unmapped and misaligned addresses (no side effects), random mixed
// traffic, reset while registers hold data.
// Prints exactly "PASS" or "FAIL: <n> errors" and calls $finish.
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module apb_regfile_env #(
  parameter int          NUM_REGS    = 8,
  parameter int          WAIT_STATES = 0,
  parameter logic [31:0] ID_VALUE    = 32'h4150_4201,
  parameter logic [31:0] SEED        = 32'h1111_2222
) (
  input  logic clk,
  output int   errors,
  output logic done
);
  localparam int AW = 12;

  logic                   presetn, psel, penable, pwrite;
  logic [AW-1:0]          paddr;
  logic [31:0]            pwdata, prdata;
  logic                   pready, pslverr;
  logic [NUM_REGS*32-1:0] regs_o;

  apb_regfile #(
    .ADDR_WIDTH(AW), .NUM_REGS(NUM_REGS), .WAIT_STATES(WAIT_STATES), .ID_VALUE(ID_VALUE)
  ) dut (
    .pclk(clk), .presetn(presetn), .psel(psel), .penable(penable), .pwrite(pwrite),
    .paddr(paddr), .pwdata(pwdata), .prdata(prdata), .pready(pready), .pslverr(pslverr),
    .regs_o(regs_o)
  );

  logic [31:0] mregs [0:NUM_REGS-1];
  int          n_err_resp, n_ok_rd, n_ok_wr;

  logic [31:0] rng;
  function automatic logic [31:0] rnd();
    rng = rng ^ (rng << 13);
    rng = rng ^ (rng >> 17);
    rng = rng ^ (rng << 5);
    return rng;
  endfunction

  task automatic err(input int code, input logic [AW-1:0] a);
    errors++;
    if (errors <= 10)
      $display("ERROR [apb_regfile WS=%0d] t=%0t code=%0d addr=%h prdata=%h pslverr=%b",
               WAIT_STATES, $time, code, a, prdata, pslverr);
  endtask

  // expected response of the model
  function automatic logic exp_bad(input logic wr, input logic [AW-1:0] a);
    int w;
    if (a[1:0] != 2'b00) return 1'b1;
    w = (int'(a) >> 2);
    if (w == 0) return wr;                     // ID is read-only
    return (w > NUM_REGS);
  endfunction

  function automatic logic [31:0] exp_rdata(input logic [AW-1:0] a);
    int w;
    w = (int'(a) >> 2);
    if (w == 0) return ID_VALUE;
    return mregs[w - 1];
  endfunction

  task automatic check_regs_o(input logic [AW-1:0] a);
    for (int i = 0; i < NUM_REGS; i++)
      if (regs_o[32*i +: 32] !== mregs[i]) err(10, a);
  endtask

  // One APB transfer. Called right after a falling edge; returns right after
  // the falling edge that follows the completing rising edge, with PSEL still
  // high so that another transfer can follow back-to-back.
  task automatic apb(input logic wr, input logic [AW-1:0] a, input logic [31:0] wd);
    int          waits;
    logic        bad;
    logic [31:0] rd_exp;
    bad    = exp_bad(wr, a);
    rd_exp = bad ? 32'h0 : exp_rdata(a);
    // SETUP phase
    psel = 1'b1; penable = 1'b0; pwrite = wr; paddr = a; pwdata = wd;
    @(negedge clk);
    // ACCESS phase
    penable = 1'b1;
    waits = 0;
    #1;
    while (pready !== 1'b1 && waits <= 20) begin
      if (pslverr !== 1'b0) err(11, a);        // PSLVERR only with PREADY
      waits++;
      @(negedge clk);
      #1;
    end
    if (waits != WAIT_STATES) err(12, a);
    if (pslverr !== bad)      err(13, a);
    if (!wr && prdata !== rd_exp) begin
      err(14, a);
      $display("  read %h expected %h", prdata, rd_exp);
    end
    @(negedge clk);
    penable = 1'b0;
    if (bad) n_err_resp++;
    else if (wr) begin
      n_ok_wr++;
      mregs[(int'(a) >> 2) - 1] = wd;
    end else n_ok_rd++;
    check_regs_o(a);
  endtask

  task automatic apb_idle(input int n);
    psel = 1'b0; penable = 1'b0;
    paddr = AW'(rnd()); pwdata = rnd(); pwrite = 1'(rnd());   // junk while idle
    repeat (n) @(negedge clk);
  endtask

  task automatic read_all;
    apb(1'b0, '0, '0);
    for (int i = 0; i < NUM_REGS; i++) apb(1'b0, AW'(4 * (i + 1)), rnd());
    apb_idle(1);
  endtask

  task automatic do_reset;
    apb_idle(0);
    presetn = 1'b0;
    repeat (2) @(negedge clk);
    presetn = 1'b1;
    for (int i = 0; i < NUM_REGS; i++) mregs[i] = '0;
    @(negedge clk);
  endtask

  function automatic logic [AW-1:0] rand_addr();
    logic [31:0] r;
    r = rnd() % 16;
    if (r < 10) return AW'(4 * (1 + (rnd() % NUM_REGS)));      // valid register
    if (r < 12) return '0;                                     // ID
    if (r < 14) return AW'(4 * (NUM_REGS + 1 + (rnd() % 100)));// unmapped
    return AW'((rnd() % (4 * (NUM_REGS + 1))) | 1);            // misaligned
  endfunction

  initial begin
    errors = 0; done = 1'b0;
    rng = SEED;
    n_err_resp = 0; n_ok_rd = 0; n_ok_wr = 0;
    presetn = 1'b1; psel = 1'b0; penable = 1'b0; pwrite = 1'b0; paddr = '0; pwdata = '0;
    for (int i = 0; i < NUM_REGS; i++) mregs[i] = 'x;
    @(negedge clk);
    do_reset();

    // 1. reset values and the ID register
    check_regs_o('0);
    read_all();

    // 2. write every register (back-to-back), read everything back
    for (int i = 0; i < NUM_REGS; i++) apb(1'b1, AW'(4 * (i + 1)), rnd());
    apb_idle(2);
    read_all();

    // 3. error cases: none may change any register
    apb(1'b1, 12'h000, 32'hDEAD_BEEF);                  // write to read-only ID
    apb(1'b0, 12'h000, '0);                             // ID unchanged
    apb(1'b1, AW'(4 * (NUM_REGS + 1)), 32'h1234_5678);  // first unmapped word
    apb(1'b0, AW'(4 * (NUM_REGS + 1)), '0);
    apb(1'b1, 12'hFFC, 32'hFFFF_FFFF);                  // top of address space
    apb(1'b0, 12'hFFC, '0);
    apb(1'b1, 12'h006, 32'hCAFE_F00D);                  // misaligned into REG[0]
    apb(1'b0, 12'h005, '0);
    apb(1'b1, 12'h003, 32'h0BAD_0BAD);                  // misaligned into ID
    apb_idle(1);
    read_all();

    // 4. random mixed traffic, back-to-back and with idle cycles
    for (int i = 0; i < 300; i++) begin
      apb(1'(rnd()), rand_addr(), rnd());
      if ((rnd() % 4) == 0) apb_idle(int'(rnd() % 3));
    end
    apb_idle(1);
    read_all();

    // 5. reset while registers hold data
    do_reset();
    check_regs_o('0);
    read_all();
    apb(1'b1, 12'h004, 32'hA5A5_5A5A);
    apb(1'b0, 12'h004, '0);
    apb_idle(2);

    if (n_err_resp < 20 || n_ok_rd < 80 || n_ok_wr < 80) err(20, '0);
    done = 1'b1;
  end
endmodule

module tb_apb_regfile;
  logic clk = 1'b0;
  always #5 clk = ~clk;

  int   err_a, err_b;
  logic done_a, done_b;

  apb_regfile_env #(.NUM_REGS(8), .WAIT_STATES(0), .ID_VALUE(32'h4150_4201), .SEED(32'h0A0B_0C0D))
    env_ws0 (.clk(clk), .errors(err_a), .done(done_a));
  apb_regfile_env #(.NUM_REGS(5), .WAIT_STATES(2), .ID_VALUE(32'h1D00_0005), .SEED(32'h7777_3333))
    env_ws2 (.clk(clk), .errors(err_b), .done(done_b));

  initial begin
    wait (done_a === 1'b1 && done_b === 1'b1);
    #1;
    if (err_a + err_b == 0) $display("PASS");
    else                    $display("FAIL: %0d errors", err_a + err_b);
    $finish;
  end

  initial begin
    #200_000;
    $display("FAIL: timeout");
    $finish;
  end
endmodule
