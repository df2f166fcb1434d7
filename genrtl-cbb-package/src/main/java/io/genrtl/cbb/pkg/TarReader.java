package io.genrtl.cbb.pkg;

import io.genrtl.core.base.GenRtlException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A strict reader of a (decompressed) tar stream: POSIX ustar and GNU headers with checksums, PAX extended
 * headers ({@code path}, {@code size}), GNU long names. Every byte goes through the {@link Budget}. The reader
 * sees the names extractors use (PAX over GNU over ustar), keeps them raw (nothing stripped or rewritten) and
 * requires the end-of-archive marker, after which only zeros may follow.
 *
 * <p>Names that extractors could read differently are refused ({@code nul_in_name}): a NUL inside a header's name,
 * prefix or link name field followed by anything but NULs ({@code rtl/\0x.sv} is {@code rtl/} to GNU tar and
 * {@code rtl/\0x.sv} to a reader of the whole field), a NUL inside a GNU long name or long link name or a PAX
 * {@code path} / {@code linkpath}, and names that are not UTF-8.
 */
final class TarReader {
  static final int BLOCK = 512;
  /** PAX and long-name headers are read into memory: at most this big. */
  static final int MAX_META = 64 * 1024;
  private static final int MAX_META_RUN = 8;
  private static final int CHUNK = 64 * 1024;

  private final InputStream in;
  private final Budget budget;
  private final byte[] block = new byte[BLOCK];
  private final byte[] chunk = new byte[CHUNK];
  /** Named in cap refusals: the entry being read (null for headers before the first and for the trailer). */
  private String current;

  TarReader(InputStream in, Budget budget) {
    this.in = in;
    this.budget = budget;
  }

  void read(EntryVisitor visitor) throws IOException {
    String longName = null;
    Map<String, String> pax = null;
    int metaRun = 0;
    boolean any = false;
    while (true) {
      current = null;
      int n = readFully(block, 0, BLOCK);
      if (n == 0) {
        throw notArchive(any ? "the tar stream ends without its end-of-archive marker" : "the archive is empty");
      }
      if (n < BLOCK) throw notArchive("the tar stream is truncated");
      if (allZero(block, 0, BLOCK)) {
        if (longName != null || pax != null) throw notArchive("a PAX or long-name header is not followed by an entry");
        if (!any) throw notArchive("the archive has no entries");
        current = null;
        drainZeros();
        return;
      }
      verifyHeader();
      any = true;
      byte type = block[156];
      long size = number(124, 12);
      if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
        if (++metaRun > MAX_META_RUN) throw notArchive("too many PAX or long-name headers in a row");
        if (size > MAX_META) {
          throw Reasons.reject(Reasons.TOO_LARGE, current, "a PAX or long-name header is larger than " + MAX_META
              + " bytes");
        }
        byte[] data = new byte[(int) size];
        readExactly(data, 0, data.length);
        skipPadding(size);
        if (type == 'x') {
          if (pax == null) pax = new HashMap<>();
          pax.putAll(parsePax(data));
        } else if (type == 'g') {
          Map<String, String> global = parsePax(data);
          for (String k : global.keySet()) {
            if (k.equals("path") || k.equals("linkpath") || k.equals("size") || k.startsWith("GNU.sparse.")) {
              throw notArchive("a global PAX header sets '" + k + "', which is not supported");
            }
          }
        } else if (type == 'L' || type == 'K') {
          int len = data.length;
          while (len > 0 && data[len - 1] == 0) len--;
          byte[] raw = new byte[len];
          System.arraycopy(data, 0, raw, 0, len);
          String gnuName = Utf8.name(raw);
          if (gnuName.indexOf(0) >= 0) throw nulInName(gnuName);
          if (type == 'L') longName = gnuName;
        }
        continue;
      }
      metaRun = 0;
      cString(157, 100); // the link name: links are refused later, but its bytes must read one way too
      String name;
      if (pax != null && pax.containsKey("path")) {
        name = pax.get("path");
      } else if (longName != null) {
        name = longName;
      } else {
        name = headerName();
      }
      boolean sparse = false;
      if (pax != null) {
        String s = pax.get("size");
        if (s != null) size = paxSize(s);
        for (String k : pax.keySet()) sparse |= k.startsWith("GNU.sparse.");
      }
      EntryVisitor.Kind kind = kind(type, sparse);
      current = name;
      EntryVisitor.Accepted accepted = visitor.entry(name, kind, size);
      budget.expect(name, budget.unpacked() + padded(size));
      if (accepted.keep()) {
        byte[] data = new byte[(int) size];
        readExactly(data, 0, data.length);
        visitor.retained(accepted.path(), data);
      } else {
        long left = size;
        while (left > 0) {
          int k = (int) Math.min(CHUNK, left);
          readExactly(chunk, 0, k);
          left -= k;
        }
      }
      skipPadding(size);
      pax = null;
      longName = null;
    }
  }

  private static EntryVisitor.Kind kind(byte type, boolean sparse) {
    switch (type) {
      case '0':
      case 0:
      case '7':
        return sparse ? EntryVisitor.Kind.SPECIAL : EntryVisitor.Kind.FILE;
      case '5':
        return EntryVisitor.Kind.DIR;
      case '1':
        return EntryVisitor.Kind.HARDLINK;
      case '2':
        return EntryVisitor.Kind.SYMLINK;
      default:
        // '3' character device, '4' block device, '6' FIFO, 'S' GNU sparse, 'V' volume label, 'M' multi-volume…
        return EntryVisitor.Kind.SPECIAL;
    }
  }

  private void verifyHeader() {
    boolean posix = block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a'
        && block[261] == 'r' && block[262] == 0 && block[263] == '0' && block[264] == '0';
    boolean gnu = block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a'
        && block[261] == 'r' && block[262] == ' ' && block[263] == ' ' && block[264] == 0;
    if (!posix && !gnu) throw notArchive("a tar header is not a ustar header");
    long stored = number(148, 8);
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      int b = i >= 148 && i < 156 ? ' ' : block[i];
      unsigned += b & 0xff;
      signed += (byte) b;
    }
    if (stored != unsigned && stored != signed) throw notArchive("a tar header has a bad checksum");
  }

  private String headerName() {
    boolean posix = block[262] == 0;
    String name = cString(0, 100);
    if (posix) {
      String prefix = cString(345, 155);
      if (!prefix.isEmpty()) name = prefix + "/" + name;
    }
    return name;
  }

  /**
   * A NUL-terminated header field as UTF-8. The bytes after the first NUL must be NULs too: otherwise readers that
   * stop at the NUL and readers of the whole field see two names, and the name is refused showing both parts.
   */
  private String cString(int off, int max) {
    int len = cStringLength(off, max);
    String s = Utf8.name(slice(off, len));
    if (!allZero(block, off + len, max - len)) {
      int end = max;
      while (end > len && block[off + end - 1] == 0) end--;
      throw nulInName(new String(block, off, end, StandardCharsets.UTF_8));
    }
    return s;
  }

  private static GenRtlException nulInName(String name) {
    return Reasons.reject(Reasons.NUL_IN_NAME, name, PathRules.describe(Reasons.NUL_IN_NAME, name));
  }

  /** An octal header number (leading spaces allowed, ended by a space or NUL) or GNU base-256. */
  private long number(int off, int len) {
    if ((block[off] & 0x80) != 0) {
      if ((block[off] & 0xff) != 0x80) throw notArchive("a tar header has a negative or oversized number");
      long v = 0;
      for (int i = off + 1; i < off + len; i++) {
        if (v > (Long.MAX_VALUE >>> 8)) throw notArchive("a tar header has an oversized number");
        v = (v << 8) | (block[i] & 0xff);
      }
      return v;
    }
    int i = off;
    int end = off + len;
    while (i < end && block[i] == ' ') i++;
    long v = 0;
    while (i < end && block[i] >= '0' && block[i] <= '7') {
      if (v > (Long.MAX_VALUE >>> 3)) throw notArchive("a tar header has an oversized number");
      v = v * 8 + (block[i] - '0');
      i++;
    }
    for (; i < end; i++) {
      if (block[i] != ' ' && block[i] != 0) throw notArchive("a tar header has a malformed number");
    }
    return v;
  }

  private static long paxSize(String s) {
    if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw notArchive("a PAX header has a malformed size");
    }
    return Long.parseLong(s);
  }

  /** Records {@code "<length> <key>=<value>\n"}; values of path keys must be UTF-8. */
  static Map<String, String> parsePax(byte[] data) {
    Map<String, String> out = new HashMap<>();
    int pos = 0;
    while (pos < data.length) {
      if (data[pos] == 0) {
        if (!allZero(data, pos, data.length - pos)) throw notArchive("a PAX header is malformed");
        break;
      }
      int sp = pos;
      long len = 0;
      while (sp < data.length && data[sp] >= '0' && data[sp] <= '9' && sp - pos < 7) {
        len = len * 10 + (data[sp] - '0');
        sp++;
      }
      if (sp == pos || sp >= data.length || data[sp] != ' ' || len < 5 || pos + len > data.length
          || data[(int) (pos + len - 1)] != '\n') {
        throw notArchive("a PAX header is malformed");
      }
      int end = (int) (pos + len - 1);
      int eq = -1;
      for (int i = sp + 1; i < end; i++) {
        if (data[i] == '=') {
          eq = i;
          break;
        }
      }
      if (eq <= sp + 1) throw notArchive("a PAX header is malformed");
      String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
      byte[] value = new byte[end - eq - 1];
      System.arraycopy(data, eq + 1, value, 0, value.length);
      if (key.equals("path") || key.equals("linkpath")) {
        String name = Utf8.name(value);
        if (name.indexOf(0) >= 0) throw nulInName(name);
        out.put(key, name);
      } else {
        out.put(key, new String(value, StandardCharsets.UTF_8));
      }
      pos += (int) len;
    }
    return out;
  }

  private void drainZeros() throws IOException {
    while (true) {
      int n = readFully(chunk, 0, CHUNK);
      if (!allZero(chunk, 0, n)) throw bad("data follows the tar end-of-archive marker");
      if (n < CHUNK) return;
    }
  }

  private void skipPadding(long size) throws IOException {
    int pad = (int) (padded(size) - size);
    if (pad > 0) readExactly(chunk, 0, pad);
  }

  static long padded(long size) {
    return (size + BLOCK - 1) / BLOCK * BLOCK;
  }

  private void readExactly(byte[] b, int off, int len) throws IOException {
    if (readFully(b, off, len) < len) throw bad("the tar stream is truncated");
  }

  /** Reads up to {@code len} bytes (fewer only at the end of the stream), counting them. */
  private int readFully(byte[] b, int off, int len) throws IOException {
    int total = 0;
    while (total < len) {
      int n = in.read(b, off + total, len - total);
      if (n < 0) break;
      total += n;
      budget.consume(current, n);
    }
    return total;
  }

  private int cStringLength(int off, int max) {
    int i = 0;
    while (i < max && block[off + i] != 0) i++;
    return i;
  }

  private byte[] slice(int off, int len) {
    byte[] out = new byte[len];
    System.arraycopy(block, off, out, 0, len);
    return out;
  }

  private static boolean allZero(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (b[i] != 0) return false;
    }
    return true;
  }

  /** A structural problem, naming the entry whose data was being read when there is one. */
  private GenRtlException bad(String message) {
    return Reasons.reject(Reasons.NOT_AN_ARCHIVE, current, message);
  }

  private static GenRtlException notArchive(String message) {
    return Reasons.reject(Reasons.NOT_AN_ARCHIVE, null, message);
  }
}
