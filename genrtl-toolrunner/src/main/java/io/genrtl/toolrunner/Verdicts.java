package io.genrtl.toolrunner;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The testbench's verdict from the simulation output, and the VerilogEval mismatch summary. */
final class Verdicts {
  static final Pattern MISMATCHES = Pattern.compile("^\\s*Mismatches:\\s*(\\d{1,18})\\s+in\\s+(\\d{1,18})\\s+samples\\s*$",
      Pattern.MULTILINE);
  static final Pattern FIRST_MISMATCH = Pattern.compile("First mismatch occurred at time\\s+(\\d{1,18})");
  /** vvp {@code FATAL:} ($fatal), Verilator {@code %Fatal} or {@code Assertion failed} from $fatal/$stop. */
  static final Pattern FATAL = Pattern.compile("^(?:\\[[^\\]]*\\]\\s+)?(?:FATAL:|%Fatal|%Error:.*(?:Assertion failed|Verilog \\$stop))",
      Pattern.MULTILINE);

  record Summary(Long mismatches, Long samples, Long firstMismatchTime, boolean passLine, boolean failLine, boolean fatal) {}

  private Verdicts() {}

  static Summary summarise(String runOutput) {
    Long mismatches = null;
    Long samples = null;
    Matcher m = MISMATCHES.matcher(runOutput);
    while (m.find()) {
      mismatches = Long.parseLong(m.group(1));
      samples = Long.parseLong(m.group(2));
    }
    Long first = null;
    Matcher f = FIRST_MISMATCH.matcher(runOutput);
    while (f.find()) {
      long t = Long.parseLong(f.group(1));
      if (first == null || t < first) first = t;
    }
    boolean pass = false;
    boolean fail = false;
    for (String line : runOutput.split("\r?\n")) {
      String s = line.strip();
      if (s.equals("PASS")) pass = true;
      if (s.startsWith("FAIL") && (s.length() == 4 || !Character.isLetterOrDigit(s.charAt(4)) || s.startsWith("FAILED"))) fail = true;
    }
    return new Summary(mismatches, samples, first, pass, fail, FATAL.matcher(runOutput).find());
  }

  /**
   * pass only when the run ended by itself with exit code 0 and the bench said so (a line exactly {@code PASS}, or
   * {@code Mismatches: 0 in N samples} with N &gt; 0) and nothing said otherwise.
   */
  static String verdict(Summary s, int exitCode) {
    if (s.fatal() || exitCode != 0) return "fatal";
    if (s.failLine() || (s.mismatches() != null && s.mismatches() > 0)) return "fail";
    if (s.passLine() || (s.mismatches() != null && s.mismatches() == 0 && s.samples() != null && s.samples() > 0)) return "pass";
    return "no_verdict";
  }
}
