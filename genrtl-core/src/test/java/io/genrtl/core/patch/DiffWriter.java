package io.genrtl.core.patch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small, independent unified-diff writer for tests: an LCS over lines (line feeds included, so the end-of-file newline
 * is part of the comparison) grouped into hunks with {@code context} lines, in git's format, with git's quoting of
 * unusual path names.
 */
final class DiffWriter {
  private DiffWriter() {}

  /** The hunk text (from the first {@code @@}) turning {@code a} into {@code b}; empty when they are equal. */
  static String hunks(String a, String b, int context) {
    List<String> x = PatchApplier.split(a);
    List<String> y = PatchApplier.split(b);
    int n = x.size();
    int m = y.size();
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] = x.get(i).equals(y.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    // the edit script: ' ', '-', '+' with indexes
    List<int[]> ops = new ArrayList<>(); // {op, i, j}
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x.get(i).equals(y.get(j))) {
        ops.add(new int[] {' ', i++, j++});
      } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
        ops.add(new int[] {'+', i, j++});
      } else {
        ops.add(new int[] {'-', i++, j});
      }
    }
    StringBuilder out = new StringBuilder();
    int k = 0;
    while (k < ops.size()) {
      while (k < ops.size() && ops.get(k)[0] == ' ') k++;
      if (k == ops.size()) break;
      int start = Math.max(0, k - context);
      int end = k;
      // extend while the next change is within 2*context equal lines
      while (true) {
        while (end < ops.size() && ops.get(end)[0] != ' ') end++;
        int eq = end;
        while (eq < ops.size() && ops.get(eq)[0] == ' ') eq++;
        if (eq < ops.size() && eq - end <= 2 * context) {
          end = eq;
        } else {
          end = Math.min(ops.size(), end + context);
          break;
        }
      }
      int oldStart = ops.get(start)[1];
      int newStart = ops.get(start)[2];
      int oldCount = 0;
      int newCount = 0;
      StringBuilder body = new StringBuilder();
      for (int q = start; q < end; q++) {
        int[] op = ops.get(q);
        String line = op[0] == '+' ? y.get(op[2]) : x.get(op[1]);
        if (op[0] != '+') oldCount++;
        if (op[0] != '-') newCount++;
        body.append((char) op[0]);
        if (line.endsWith("\n")) {
          body.append(line);
        } else {
          body.append(line).append("\n\\ No newline at end of file\n");
        }
      }
      out.append("@@ -").append(oldCount == 0 ? oldStart : oldStart + 1).append(',').append(oldCount)
          .append(" +").append(newCount == 0 ? newStart : newStart + 1).append(',').append(newCount).append(" @@\n").append(body);
      k = end;
    }
    return out.toString();
  }

  /** A path as git writes it after a prefix: quoted with C escapes when it has special characters. */
  static String quote(String prefix, String path) {
    String p = prefix + path;
    boolean special = false;
    for (byte b : p.getBytes(StandardCharsets.UTF_8)) if (b < 0x20 || b == '"' || b == '\\' || b == 0x7f || b < 0) special = true;
    if (!special) return p;
    StringBuilder sb = new StringBuilder("\"");
    for (byte b : p.getBytes(StandardCharsets.UTF_8)) {
      int u = b & 0xff;
      switch (u) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        default -> {
          if (u < 0x20 || u >= 0x7f) sb.append(String.format("\\%03o", u));
          else sb.append((char) u);
        }
      }
    }
    return sb.append('"').toString();
  }

  /** The ---/+++ form: git appends a tab to unquoted names containing a space. */
  static String dash(String prefix, String path) {
    String q = quote(prefix, path);
    return !q.startsWith("\"") && q.contains(" ") ? q + "\t" : q;
  }
}
