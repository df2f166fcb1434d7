// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// spi_master : single chip-select SPI master, modes 0-3, MSB first
//
//  * cpol / cpha select the SPI mode (latched when a transfer starts):
//      mode 0: cpol=0 cpha=0   mode 1: cpol=0 cpha=1
//      mode 2: cpol=1 cpha=0   mode 3: cpol=1 cpha=1
//    cpha=0: data sampled on the leading SCLK edge, shifted on the trailing
//    cpha=1: data shifted on the leading SCLK edge, sampled on the trailing
//  * clk_div = SCLK half period in clk cycles (0 is treated as 1), so
//    f_sclk = f_clk / (2 * clk_div)
//  * a transfer: pulse start (while !busy) with tx_data; cs_n goes low, one
//    half period of set-up, 2*DATA_WIDTH SCLK edges, one half period of hold,
//    cs_n goes high and done pulses with rx_data; cs_n then stays high for
//    at least one half period before busy drops
//  * start is ignored while busy; synchronous active-low reset
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module spi_master #(
  parameter int DATA_WIDTH = 8,
  parameter int DIV_WIDTH  = 8
) (
  input  logic                  clk,
  input  logic                  rst_n,
  // configuration
  input  logic                  cpol,
  input  logic                  cpha,
  input  logic [DIV_WIDTH-1:0]  clk_div,
  // command / response
  input  logic                  start,
  input  logic [DATA_WIDTH-1:0] tx_data,
  output logic                  busy,
  output logic                  done,
  output logic [DATA_WIDTH-1:0] rx_data,
  // SPI pins
  output logic                  sclk,
  output logic                  mosi,
  output logic                  cs_n,
  input  logic                  miso
);
  localparam int EW = $clog2(2 * DATA_WIDTH);
  localparam logic [EW-1:0] LAST_EDGE = EW'(2 * DATA_WIDTH - 1);

  typedef enum logic [2:0] { S_IDLE, S_SETUP, S_XFER, S_HOLD, S_GAP } state_t;

  state_t                state;
  logic                  cpha_q;
  logic [DIV_WIDTH-1:0]  div_q;
  logic [DIV_WIDTH-1:0]  cnt;
  logic [EW-1:0]         edge_cnt;
  logic [DATA_WIDTH-1:0] tx_sr, rx_sr;

  wire half_done = (cnt == div_q - 1'b1);
  wire leading   = !edge_cnt[0];                 // even edges lead
  wire do_sample = cpha_q ? !leading : leading;
  wire do_shift  = cpha_q ? (leading && edge_cnt != '0)
                          : (!leading && edge_cnt != LAST_EDGE);

  assign busy = (state != S_IDLE);
  assign mosi = tx_sr[DATA_WIDTH-1];

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      state    <= S_IDLE;
      cpha_q   <= 1'b0;
      div_q    <= DIV_WIDTH'(1);
      cnt      <= '0;
      edge_cnt <= '0;
      tx_sr    <= '0;
      rx_sr    <= '0;
      rx_data  <= '0;
      done     <= 1'b0;
      sclk     <= 1'b0;
      cs_n     <= 1'b1;
    end else begin
      done <= 1'b0;
      case (state)
        S_IDLE: begin
          sclk <= cpol;
          cnt  <= '0;
          if (start) begin
            cpha_q   <= cpha;
            div_q    <= (clk_div == '0) ? DIV_WIDTH'(1) : clk_div;
            tx_sr    <= tx_data;
            edge_cnt <= '0;
            cs_n     <= 1'b0;
            state    <= S_SETUP;
          end
        end
        S_SETUP: begin
          if (half_done) begin
            cnt   <= '0;
            state <= S_XFER;
          end else cnt <= cnt + 1'b1;
        end
        S_XFER: begin
          if (half_done) begin
            cnt      <= '0;
            sclk     <= ~sclk;
            edge_cnt <= edge_cnt + 1'b1;
            if (do_sample) rx_sr <= {rx_sr[DATA_WIDTH-2:0], miso};
            if (do_shift)  tx_sr <= {tx_sr[DATA_WIDTH-2:0], 1'b0};
            if (edge_cnt == LAST_EDGE) state <= S_HOLD;
          end else cnt <= cnt + 1'b1;
        end
        S_HOLD: begin
          if (half_done) begin
            cnt     <= '0;
            cs_n    <= 1'b1;
            done    <= 1'b1;
            rx_data <= rx_sr;
            state   <= S_GAP;
          end else cnt <= cnt + 1'b1;
        end
        S_GAP: begin
          if (half_done) begin
            cnt   <= '0;
            state <= S_IDLE;
          end else cnt <= cnt + 1'b1;
        end
        default: state <= S_IDLE;
      endcase
    end
  end
endmodule
