package io.genrtl.toolrunner;

import java.util.Optional;

/** The simulators the ToolRunner drives. */
public enum Simulator {
  /** Icarus Verilog: {@code iverilog -g2012} then {@code vvp -n}. */
  IVERILOG("iverilog"),
  /** Verilator: {@code verilator --binary --timing} then the built executable. */
  VERILATOR("verilator");

  private final String wire;

  Simulator(String wire) {
    this.wire = wire;
  }

  /** The name in JSON and on the command line. */
  public String wire() {
    return wire;
  }

  public static Optional<Simulator> parse(String s) {
    for (Simulator v : values()) if (v.wire.equals(s)) return Optional.of(v);
    return Optional.empty();
  }
}
