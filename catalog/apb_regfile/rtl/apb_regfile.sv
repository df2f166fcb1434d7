// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// apb_regfile : AMBA APB3 slave register file
//
// Address map (byte addresses, 32-bit registers, word aligned):
//   0x000                 ID       read-only, returns ID_VALUE
//   0x004 + 4*i           REG[i]   read/write, i = 0 .. NUM_REGS-1, reset 0
// Error response (PSLVERR=1 in the completing cycle, PRDATA=0, no side
// effect) for: unmapped addresses, addresses with PADDR[1:0] != 0, and
// writes to the read-only ID register.
// WAIT_STATES (>= 0) wait cycles are inserted in every access phase
// (PREADY low), so the slave can model slow peripherals.
// All RW registers are also exported on regs_o (REG[i] = regs_o[32*i +: 32]).
// Synchronous active-low reset (PRESETn).
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module apb_regfile #(
  parameter int          ADDR_WIDTH  = 12,
  parameter int          NUM_REGS    = 8,
  parameter int          WAIT_STATES = 0,
  parameter logic [31:0] ID_VALUE    = 32'h4150_4201
) (
  input  logic                   pclk,
  input  logic                   presetn,
  input  logic                   psel,
  input  logic                   penable,
  input  logic                   pwrite,
  input  logic [ADDR_WIDTH-1:0]  paddr,
  input  logic [31:0]            pwdata,
  output logic [31:0]            prdata,
  output logic                   pready,
  output logic                   pslverr,
  output logic [NUM_REGS*32-1:0] regs_o
);
  localparam int WW = (WAIT_STATES > 0) ? $clog2(WAIT_STATES + 1) : 1;
  localparam int IW = (NUM_REGS > 1) ? $clog2(NUM_REGS) : 1;

  logic [NUM_REGS-1:0][31:0] regs;
  logic [WW-1:0]             wait_cnt;

  // ---------------- address decode ----------------
  wire                  access  = psel && penable;
  wire [ADDR_WIDTH-3:0] word    = paddr[ADDR_WIDTH-1:2];
  wire                  aligned = (paddr[1:0] == 2'b00);
  wire                  is_id   = aligned && (word == '0);
  wire                  is_reg  = aligned && (word != '0) &&
                                  ({2'b00, word} <= ADDR_WIDTH'(NUM_REGS));
  /* verilator lint_off UNUSEDSIGNAL */
  wire [ADDR_WIDTH-3:0] idx_w   = word - 1'b1;   // only the low IW bits are used
  /* verilator lint_on UNUSEDSIGNAL */
  wire [IW-1:0]         idx     = idx_w[IW-1:0];
  wire                  bad     = !(is_reg || (is_id && !pwrite));

  // ---------------- wait states ----------------
  assign pready = (wait_cnt == WW'(WAIT_STATES));

  always_ff @(posedge pclk) begin
    if (!presetn)              wait_cnt <= '0;
    else if (access && !pready) wait_cnt <= wait_cnt + 1'b1;
    else                        wait_cnt <= '0;
  end

  // ---------------- registers ----------------
  always_ff @(posedge pclk) begin
    if (!presetn) begin
      regs <= '0;
    end else if (access && pready && pwrite && is_reg) begin
      regs[idx] <= pwdata;
    end
  end

  // ---------------- read data / response ----------------
  always_comb begin
    prdata = '0;
    if (access && !pwrite && !bad)
      prdata = is_id ? ID_VALUE : regs[idx];
  end

  assign pslverr = access && pready && bad;
  assign regs_o  = regs;

endmodule
