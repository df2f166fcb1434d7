// SPDX-License-Identifier: Apache-2.0
// -----------------------------------------------------------------------------
// crc32 : IEEE 802.3 CRC-32 (Ethernet FCS, zlib, PNG ...), one byte per clock
//
//   polynomial 0x04C11DB7 (reflected 0xEDB88320), init 0xFFFFFFFF,
//   input and output reflected, final XOR 0xFFFFFFFF
//   e.g. "123456789" -> 0xCBF43926
//
//  * init restarts the computation; if data_valid is high in the same cycle
//    the byte is taken as the first byte of the new message, so messages can
//    be streamed back to back
//  * crc        : CRC of all bytes since the last init (valid every cycle);
//                 transmit it least significant byte first
//  * crc_state  : raw (non-inverted) CRC register
//  * residue_ok : high when the bytes since init were a message followed by
//                 its own CRC (LSB first), i.e. the frame check passed
//                 (register == 0xDEBB20E3)
//  * synchronous active-low reset (same effect as init)
// -----------------------------------------------------------------------------
`timescale 1ns/1ps

module crc32 (
  input  logic        clk,
  input  logic        rst_n,
  input  logic        init,
  input  logic        data_valid,
  input  logic [7:0]  data,
  output logic [31:0] crc,
  output logic [31:0] crc_state,
  output logic        residue_ok
);
  localparam logic [31:0] POLY_REFLECTED = 32'hEDB8_8320;
  localparam logic [31:0] INIT_VALUE     = 32'hFFFF_FFFF;
  localparam logic [31:0] RESIDUE        = 32'hDEBB_20E3;

  // one byte through the bit-serial LFSR, unrolled by synthesis
  function automatic logic [31:0] crc32_byte(input logic [31:0] c, input logic [7:0] d);
    logic [31:0] r;
    r = c;
    for (int i = 0; i < 8; i++)
      r = (r >> 1) ^ ((r[0] ^ d[i]) ? POLY_REFLECTED : 32'h0);
    return r;
  endfunction

  logic [31:0] state;
  wire  [31:0] base = init ? INIT_VALUE : state;

  always_ff @(posedge clk) begin
    if (!rst_n)          state <= INIT_VALUE;
    else if (data_valid) state <= crc32_byte(base, data);
    else if (init)       state <= INIT_VALUE;
  end

  assign crc        = ~state;
  assign crc_state  = state;
  assign residue_ok = (state == RESIDUE);
endmodule
