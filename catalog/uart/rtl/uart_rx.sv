// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// uart_rx : 8N1 UART receiver
//
//  * 2-flop input synchroniser, start bit re-checked at mid-bit (glitches
//    shorter than half a bit are ignored), data sampled at bit centres
//  * rx_valid pulses for one cycle with rx_data when the stop bit is 1
//  * rx_frame_err pulses for one cycle instead when the stop bit is 0; the
//    receiver then waits for the line to return high (a long break gives a
//    single framing error)
//  * bit time = clks_per_bit clock cycles (latched per frame, must be >= 4)
//  * synchronous active-low reset
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module uart_rx #(
  parameter int DIV_WIDTH = 16
) (
  input  logic                 clk,
  input  logic                 rst_n,
  input  logic [DIV_WIDTH-1:0] clks_per_bit,
  input  logic                 rx,
  output logic [7:0]           rx_data,
  output logic                 rx_valid,
  output logic                 rx_frame_err,
  output logic                 rx_busy
);
  typedef enum logic [2:0] {
    S_IDLE, S_START, S_DATA, S_STOP, S_WAIT_IDLE
  } state_t;

  state_t               state;
  logic [1:0]           sync;
  logic [DIV_WIDTH-1:0] cnt;
  logic [DIV_WIDTH-1:0] cpb_q;
  logic [2:0]           bit_idx;
  logic [7:0]           shreg;

  wire rx_s = sync[1];

  always_ff @(posedge clk) begin
    if (!rst_n) sync <= 2'b11;
    else        sync <= {sync[0], rx};
  end

  assign rx_busy = (state != S_IDLE);

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      state        <= S_IDLE;
      cnt          <= '0;
      cpb_q        <= '0;
      bit_idx      <= '0;
      shreg        <= '0;
      rx_data      <= '0;
      rx_valid     <= 1'b0;
      rx_frame_err <= 1'b0;
    end else begin
      rx_valid     <= 1'b0;
      rx_frame_err <= 1'b0;
      case (state)
        S_IDLE: begin
          cnt   <= '0;
          cpb_q <= clks_per_bit;
          if (!rx_s) state <= S_START;
        end
        S_START: begin
          // wait half a bit, then confirm the start bit is still low
          if (cnt == (cpb_q >> 1) - 1'b1) begin
            cnt     <= '0;
            bit_idx <= '0;
            state   <= rx_s ? S_IDLE : S_DATA;
          end else begin
            cnt <= cnt + 1'b1;
          end
        end
        S_DATA: begin
          if (cnt == cpb_q - 1'b1) begin
            cnt     <= '0;
            shreg   <= {rx_s, shreg[7:1]};
            bit_idx <= bit_idx + 1'b1;
            if (bit_idx == 3'd7) state <= S_STOP;
          end else begin
            cnt <= cnt + 1'b1;
          end
        end
        S_STOP: begin
          if (cnt == cpb_q - 1'b1) begin
            cnt <= '0;
            if (rx_s) begin
              rx_data  <= shreg;
              rx_valid <= 1'b1;
              state    <= S_IDLE;
            end else begin
              rx_frame_err <= 1'b1;
              state        <= S_WAIT_IDLE;
            end
          end else begin
            cnt <= cnt + 1'b1;
          end
        end
        S_WAIT_IDLE: begin
          if (rx_s) state <= S_IDLE;
        end
        default: state <= S_IDLE;
      endcase
    end
  end
endmodule
