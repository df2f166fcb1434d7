// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// Self-checking smoke testbench for pwm_timer.
//
//  * a cycle-accurate reference model is compared with count, pwm_out,
//    irq_status and irq on every clock cycle
//  * waveform measurements are checked against the closed-form formulas
//    period = (prescale+1)*(period+1), high = (prescale+1)*compare,
//    including 0 % / 100 % duty, inverted polarity and prescale changes
//  * double-buffered period/compare: a change mid-period only takes effect
//    after the wrap
//  * interrupts: sticky status, enable mask, write-1-to-clear
//  * disable holds the counter at 0 with the output inactive, reset mid-run,
//    and random configuration changes
// Prints exactly "PASS" or "FAIL: <n> errors" and calls $finish.
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module tb_pwm_timer;
  localparam int W  = 8;
  localparam int PW = 4;

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic          rst_n, enable, polarity;
  logic [PW-1:0] prescale;
  logic [W-1:0]  period, compare, count;
  logic [1:0]    irq_en, irq_clr, irq_status;
  logic          pwm_out, irq;

  pwm_timer #(.CNT_WIDTH(W), .PRESCALE_WIDTH(PW)) dut (
    .clk(clk), .rst_n(rst_n), .enable(enable), .prescale(prescale),
    .period(period), .compare(compare), .polarity(polarity),
    .irq_en(irq_en), .irq_clr(irq_clr),
    .count(count), .pwm_out(pwm_out), .irq_status(irq_status), .irq(irq)
  );

  int errors = 0;
  int cyc    = 0;
  always @(posedge clk) cyc <= cyc + 1;

  task automatic err(input int code);
    errors++;
    if (errors <= 10)
      $display("ERROR [pwm_timer] t=%0t code=%0d count=%0d(exp %0d) pwm=%b(exp %b) sts=%b(exp %b) irq=%b",
               $time, code, count, m_cnt, pwm_out, m_pwm, irq_status, m_sts, irq);
  endtask

  logic [31:0] rng = 32'h0F1E_2D3C;
  function automatic logic [31:0] rnd();
    rng = rng ^ (rng << 13);
    rng = rng ^ (rng >> 17);
    rng = rng ^ (rng << 5);
    return rng;
  endfunction

  // ---------------- cycle-accurate reference model ----------------
  int         m_psc, m_cnt, m_per, m_cmp;
  logic       m_pwm;
  logic [1:0] m_sts;
  int         n_wraps = 0, n_hits = 0;

  always @(posedge clk) begin
    if (!rst_n) begin
      m_psc = 0; m_cnt = 0; m_per = 0; m_cmp = 0;
      m_pwm = polarity;
      m_sts = 2'b00;
    end else begin
      logic tick, wrap, hit;
      m_pwm = polarity ^ (enable && (m_cnt < m_cmp));   // registered from current count
      tick = enable && (m_psc >= int'(prescale));
      wrap = tick && (m_cnt >= m_per);
      if (!enable) begin
        m_psc = 0; m_cnt = 0; m_per = int'(period); m_cmp = int'(compare);
      end else begin
        m_psc = tick ? 0 : m_psc + 1;
        if (wrap) begin
          m_cnt = 0; m_per = int'(period); m_cmp = int'(compare);
        end else if (tick) begin
          m_cnt = m_cnt + 1;
        end
      end
      hit   = tick && (m_cnt == m_cmp);
      m_sts = (m_sts & ~irq_clr) | {hit, wrap};
      if (wrap) n_wraps++;
      if (hit)  n_hits++;
    end
  end

  // compare every cycle, away from the edges where inputs change
  always @(negedge clk) begin
    #2;
    if (rst_n) begin
      if (count !== W'(m_cnt))                err(1);
      if (pwm_out !== m_pwm)                  err(2);
      if (irq_status !== m_sts)               err(3);
      if (irq !== |(m_sts & irq_en))          err(4);
    end
  end

  // ---------------- helpers ----------------
  task automatic configure(input int ps, input int per, input int cmp, input logic pol);
    prescale = PW'(ps); period = W'(per); compare = W'(cmp); polarity = pol;
  endtask

  task automatic clocks(input int n);
    repeat (n) @(negedge clk);
  endtask

  // wait (sampling at falling edges) until pwm_out == level; returns cycle
  task automatic wait_level(input logic level, output int t);
    int guard;
    guard = 0;
    while (pwm_out !== level && guard < 2000) begin @(negedge clk); guard++; end
    if (guard >= 2000) err(10);
    t = cyc;
  endtask

  // measure n PWM periods and compare with the closed-form values
  task automatic measure(input int ps, input int per, input int cmp, input logic pol, input int n);
    int t0, t1, t2, p_exp, h_exp;
    logic act;
    act   = ~pol;
    p_exp = (ps + 1) * (per + 1);
    h_exp = (ps + 1) * ((cmp > per) ? per + 1 : cmp);
    if (h_exp == 0 || h_exp == p_exp) begin
      // constant output expected over several periods
      for (int i = 0; i < 3 * p_exp; i++) begin
        if (pwm_out !== ((h_exp == 0) ? ~act : act)) err(11);
        @(negedge clk);
      end
    end else begin
      wait_level(~act, t0);
      wait_level(act, t0);
      for (int i = 0; i < n; i++) begin
        wait_level(~act, t1);
        wait_level(act, t2);
        if (t1 - t0 != h_exp || t2 - t0 != p_exp) begin
          err(12);
          $display("  high %0d (exp %0d) period %0d (exp %0d)", t1 - t0, h_exp, t2 - t0, p_exp);
        end
        t0 = t2;
      end
    end
  endtask

  task automatic wait_count(input int v);
    int guard;
    guard = 0;
    while (count !== W'(v) && guard < 2000) begin @(negedge clk); guard++; end
    if (guard >= 2000) err(13);
  endtask

  initial begin
    int maxc;
    rst_n = 1'b0; enable = 1'b0; irq_en = 2'b00; irq_clr = 2'b00;
    configure(0, 9, 3, 1'b0);
    clocks(3);
    rst_n = 1'b1;
    clocks(1);
    // 1. reset state
    if (count !== '0 || pwm_out !== 1'b0 || irq_status !== 2'b00 || irq !== 1'b0) err(20);

    // 2. basic PWM: 10-cycle period, 30 % duty
    enable = 1'b1;
    measure(0, 9, 3, 1'b0, 3);
    // 3. prescaler /4, period 5 ticks, 40 %
    configure(3, 4, 2, 1'b0);
    clocks(50);
    measure(3, 4, 2, 1'b0, 3);
    // 4. inverted polarity
    polarity = 1'b1;
    clocks(2);
    measure(3, 4, 2, 1'b1, 2);
    polarity = 1'b0;
    // 5. duty corner cases: 0 %, 100 %, compare == period
    configure(1, 6, 0, 1'b0); clocks(30); measure(1, 6, 0, 1'b0, 1);
    configure(1, 6, 7, 1'b0); clocks(30); measure(1, 6, 7, 1'b0, 1);
    configure(1, 6, 6, 1'b0); clocks(30); measure(1, 6, 6, 1'b0, 2);
    configure(0, 0, 1, 1'b0); clocks(10);   // period 0: wraps every tick
    configure(0, 1, 1, 1'b0); clocks(10); measure(0, 1, 1, 1'b0, 3);

    // 6. double buffering: change period/compare in the middle of a period
    configure(1, 9, 5, 1'b0);
    clocks(60);
    wait_count(3);
    configure(1, 3, 1, 1'b0);
    maxc = 0;
    while (count !== '0) begin
      if (int'(count) > maxc) maxc = int'(count);
      @(negedge clk);
    end
    if (maxc != 9) err(30);                  // old period completed
    clocks(2);
    maxc = 0;
    while (count !== '0) begin
      if (int'(count) > maxc) maxc = int'(count);
      @(negedge clk);
    end
    if (maxc != 3) err(31);                  // new period in effect
    measure(1, 3, 1, 1'b0, 2);

    // 7. interrupts: enable mask, sticky status, write-1-to-clear
    irq_en = 2'b00;
    clocks(20);
    if (irq_status !== 2'b11 || irq !== 1'b0) err(40);
    irq_en = 2'b01;
    clocks(1);
    if (irq !== 1'b1) err(41);
    irq_clr = 2'b11; clocks(1); irq_clr = 2'b00;
    enable = 1'b0; clocks(1);                // no new events while disabled
    irq_clr = 2'b11; clocks(1); irq_clr = 2'b00;
    clocks(2);
    if (irq_status !== 2'b00 || irq !== 1'b0) err(42);
    if (count !== '0 || pwm_out !== 1'b0) err(43);
    configure(2, 7, 3, 1'b0);
    enable = 1'b1;
    irq_en = 2'b10;
    wait_count(3);                           // compare event
    clocks(4);
    if (irq_status[1] !== 1'b1 || irq !== 1'b1) err(44);
    irq_clr = 2'b10; clocks(1); irq_clr = 2'b00;
    if (irq !== 1'b0) err(45);

    // 8. random configuration, enable and clear traffic (model checked)
    for (int i = 0; i < 120; i++) begin
      if ((rnd() % 4) == 0) configure(int'(rnd() % 4), int'(rnd() % 13), int'(rnd() % 15), 1'(rnd()));
      if ((rnd() % 8) == 0) enable = ~enable;
      irq_en  = 2'(rnd());
      irq_clr = ((rnd() % 3) == 0) ? 2'(rnd()) : 2'b00;
      clocks(1);
      irq_clr = 2'b00;
      clocks(int'(rnd() % 40));
    end

    // 9. reset while running
    enable = 1'b1;
    configure(0, 5, 2, 1'b1);
    clocks(17);
    rst_n = 1'b0;
    clocks(2);
    if (count !== '0 || pwm_out !== 1'b1 || irq_status !== 2'b00) err(50);
    rst_n = 1'b1;
    measure(0, 5, 2, 1'b1, 2);

    if (n_wraps < 100 || n_hits < 50) err(60);
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
