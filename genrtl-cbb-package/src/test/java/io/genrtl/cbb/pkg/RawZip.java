package io.genrtl.cbb.pkg;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Writes zip files byte by byte, hostile ones included: raw names, unix modes, sizes that lie, shared data. */
final class RawZip {
  static final class Entry {
    byte[] name;
    int method = 8;
    byte[] data;
    long crc;
    long usize;
    int unixMode;
    /** When set, the central record points at this entry's local header instead of writing its own. */
    Entry sameLocalAs;
    long lho;
    /** Bytes written after this entry's data that no entry accounts for. */
    byte[] junkAfter = new byte[0];
  }

  private final List<Entry> entries = new ArrayList<>();
  /** Overrides the entry count in the end record when not negative. */
  long claimedCount = -1;

  Entry file(String name, String content) {
    return file(name.getBytes(StandardCharsets.UTF_8), content.getBytes(StandardCharsets.UTF_8));
  }

  Entry file(byte[] name, byte[] content) {
    Entry e = new Entry();
    e.name = name;
    e.data = deflate(content);
    CRC32 c = new CRC32();
    c.update(content);
    e.crc = c.getValue();
    e.usize = content.length;
    e.unixMode = 0100644;
    entries.add(e);
    return e;
  }

  Entry dir(String name) {
    Entry e = new Entry();
    e.name = name.getBytes(StandardCharsets.UTF_8);
    e.method = 0;
    e.data = new byte[0];
    e.unixMode = 040755;
    entries.add(e);
    return e;
  }

  /** An entry with ready-made deflate data and whatever size and CRC the caller claims. */
  Entry raw(String name, byte[] deflated, long claimedSize, long crc) {
    Entry e = new Entry();
    e.name = name.getBytes(StandardCharsets.UTF_8);
    e.data = deflated;
    e.usize = claimedSize;
    e.crc = crc;
    e.unixMode = 0100644;
    entries.add(e);
    return e;
  }

  /** A second central record for {@code target}'s data (the overlapping-files zip bomb). */
  Entry alias(String name, Entry target) {
    Entry e = new Entry();
    e.name = name.getBytes(StandardCharsets.UTF_8);
    e.sameLocalAs = target;
    e.method = target.method;
    e.data = target.data;
    e.crc = target.crc;
    e.usize = target.usize;
    e.unixMode = 0100644;
    entries.add(e);
    return e;
  }

  byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Entry e : entries) {
      if (e.sameLocalAs != null) continue;
      e.lho = out.size();
      ByteBuffer h = le(30 + e.name.length);
      h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0800).putShort((short) e.method)
          .putShort((short) 0).putShort((short) 0x2821).putInt((int) e.crc).putInt(e.data.length).putInt((int) e.usize)
          .putShort((short) e.name.length).putShort((short) 0).put(e.name);
      out.writeBytes(h.array());
      out.writeBytes(e.data);
      out.writeBytes(e.junkAfter);
    }
    long cd = out.size();
    for (Entry e : entries) {
      long lho = e.sameLocalAs != null ? e.sameLocalAs.lho : e.lho;
      ByteBuffer h = le(46 + e.name.length);
      h.putInt(0x02014b50).putShort((short) 0x031e).putShort((short) 20).putShort((short) 0x0800)
          .putShort((short) e.method).putShort((short) 0).putShort((short) 0x2821).putInt((int) e.crc)
          .putInt(e.data.length).putInt((int) e.usize).putShort((short) e.name.length).putShort((short) 0)
          .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(e.unixMode << 16).putInt((int) lho)
          .put(e.name);
      out.writeBytes(h.array());
    }
    long cdSize = out.size() - cd;
    int count = (int) (claimedCount >= 0 ? claimedCount : entries.size());
    ByteBuffer end = le(22);
    end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) count).putShort((short) count)
        .putInt((int) cdSize).putInt((int) cd).putShort((short) 0);
    out.writeBytes(end.array());
    return out.toByteArray();
  }

  static byte[] deflate(byte[] content) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    d.setInput(content);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!d.finished()) out.write(buf, 0, d.deflate(buf));
    d.end();
    return out.toByteArray();
  }

  /**
   * Raw deflate data for {@code mib} MiB of zeros, made in milliseconds: the first MiB compressed normally, then
   * one MiB compressed against a window of zeros (valid after any run of zeros) repeated, then an empty final
   * block. About 1 KiB per MiB.
   */
  static byte[] deflatedZeros(int mib) {
    byte[] zeros = new byte[1 << 20];
    byte[] first = syncFlushed(zeros, null);
    byte[] next = syncFlushed(zeros, new byte[32768]);
    ByteArrayOutputStream out = new ByteArrayOutputStream(first.length + next.length * mib + 2);
    out.writeBytes(first);
    for (int i = 1; i < mib; i++) out.writeBytes(next);
    out.write(0x03);
    out.write(0x00);
    return out.toByteArray();
  }

  private static byte[] syncFlushed(byte[] input, byte[] dictionary) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    if (dictionary != null) d.setDictionary(dictionary);
    d.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    do {
      n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
      out.write(buf, 0, n);
    } while (n == buf.length || !d.needsInput());
    d.end();
    return out.toByteArray();
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
