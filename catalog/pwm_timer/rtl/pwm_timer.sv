// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// pwm_timer : up-counting timer with prescaler, PWM output and interrupts
//
//  * the prescaler divides clk by (prescale + 1); each prescaler tick the
//    counter counts 0, 1, ..., period, 0, ... so one PWM period lasts
//    (prescale + 1) * (period + 1) clk cycles
//  * PWM is active while count < compare: duty = compare / (period + 1);
//    compare = 0 gives 0 %, compare > period gives 100 %. polarity = 1
//    inverts the output (active low). When disabled the output sits at the
//    inactive level (= polarity) and the counter is held at 0
//  * period and compare are double buffered: new values are taken when the
//    counter wraps (or at any time while disabled), so a running waveform
//    never glitches
//  * events (sticky in irq_status, cleared by writing 1 to irq_clr,
//    set wins over clear):
//      bit 0  period event : counter wrapped from period to 0
//      bit 1  compare event: counter reached compare (PWM active->inactive)
//    irq = |(irq_status & irq_en)
//  * pwm_out is registered (it follows count with one cycle of latency) and
//    irq_status is registered; synchronous active-low reset
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module pwm_timer #(
  parameter int CNT_WIDTH      = 16,
  parameter int PRESCALE_WIDTH = 16
) (
  input  logic                      clk,
  input  logic                      rst_n,
  input  logic                      enable,
  input  logic [PRESCALE_WIDTH-1:0] prescale,
  input  logic [CNT_WIDTH-1:0]      period,
  input  logic [CNT_WIDTH-1:0]      compare,
  input  logic                      polarity,
  input  logic [1:0]                irq_en,
  input  logic [1:0]                irq_clr,
  output logic [CNT_WIDTH-1:0]      count,
  output logic                      pwm_out,
  output logic [1:0]                irq_status,
  output logic                      irq
);
  logic [PRESCALE_WIDTH-1:0] psc, psc_n;
  logic [CNT_WIDTH-1:0]      cnt, cnt_n;
  logic [CNT_WIDTH-1:0]      per_sh, per_n;
  logic [CNT_WIDTH-1:0]      cmp_sh, cmp_n;
  logic                      ev_period, ev_compare;

  always_comb begin
    psc_n      = psc;
    cnt_n      = cnt;
    per_n      = per_sh;
    cmp_n      = cmp_sh;
    ev_period  = 1'b0;
    ev_compare = 1'b0;
    if (!enable) begin
      psc_n = '0;
      cnt_n = '0;
      per_n = period;
      cmp_n = compare;
    end else if (psc >= prescale) begin          // prescaler tick
      psc_n = '0;
      if (cnt >= per_sh) begin                   // wrap, reload shadows
        cnt_n     = '0;
        ev_period = 1'b1;
        per_n     = period;
        cmp_n     = compare;
      end else begin
        cnt_n = cnt + 1'b1;
      end
      ev_compare = (cnt_n == cmp_n);
    end else begin
      psc_n = psc + 1'b1;
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      psc        <= '0;
      cnt        <= '0;
      per_sh     <= '0;
      cmp_sh     <= '0;
      pwm_out    <= polarity;                // inactive level
      irq_status <= '0;
    end else begin
      psc        <= psc_n;
      cnt        <= cnt_n;
      per_sh     <= per_n;
      cmp_sh     <= cmp_n;
      pwm_out    <= polarity ^ (enable && (cnt < cmp_sh));
      irq_status <= (irq_status & ~irq_clr) | {ev_compare, ev_period};
    end
  end

  assign count = cnt;
  assign irq   = |(irq_status & irq_en);
endmodule
