package io.genrtl.cbb.pkg;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Writes tar streams byte by byte, hostile ones included (names, types and sizes exactly as given). */
final class RawTar {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  RawTar file(String name, String content) {
    return entry(name, '0', content.getBytes(StandardCharsets.UTF_8), "");
  }

  RawTar file(String name, byte[] content) {
    return entry(name, '0', content, "");
  }

  RawTar dir(String name) {
    return entry(name, '5', new byte[0], "");
  }

  RawTar entry(String name, char type, byte[] data, String link) {
    byte[] h = header(name.getBytes(StandardCharsets.UTF_8), type, data.length, link);
    out.writeBytes(h);
    out.writeBytes(data);
    out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    return this;
  }

  /** A file whose header is edited by {@code edit} (name bytes, prefix at 345, link at 157) before its checksum. */
  RawTar edited(String name, String content, java.util.function.Consumer<byte[]> edit) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    byte[] h = header(name.getBytes(StandardCharsets.UTF_8), '0', data.length, "");
    edit.accept(h);
    checksum(h);
    out.writeBytes(h);
    out.writeBytes(data);
    out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    return this;
  }

  /** A GNU long-name ('L') or long-link ('K') header for the entry that follows. */
  RawTar gnuLong(char type, byte[] name) {
    byte[] data = new byte[name.length + 1];
    System.arraycopy(name, 0, data, 0, name.length);
    return entry("././@LongLink", type, data, "");
  }

  /** A header that announces {@code size} bytes; the caller writes (or withholds) the data. */
  RawTar headerOnly(String name, char type, long size) {
    out.writeBytes(header(name.getBytes(StandardCharsets.UTF_8), type, size, ""));
    return this;
  }

  /** A PAX extended header ('x') with one record, for the entry that follows. */
  RawTar pax(String key, String value) {
    byte[] rec = paxRecord(key, value);
    return entry("PaxHeader/x", 'x', rec, "");
  }

  RawTar bytes(byte[] raw) {
    out.writeBytes(raw);
    return this;
  }

  /** The stream with its end-of-archive marker. */
  byte[] tar() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(out.toByteArray());
    b.writeBytes(new byte[1024]);
    return b.toByteArray();
  }

  /** Without the end-of-archive marker. */
  byte[] tarWithoutEnd() {
    return out.toByteArray();
  }

  byte[] tarGz() {
    return gzip(tar());
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  static byte[] header(byte[] name, char type, long size, String link) {
    byte[] h = new byte[512];
    if (name.length > 100) throw new IllegalArgumentException("use pax for long names");
    System.arraycopy(name, 0, h, 0, name.length);
    octal(h, 100, 8, type == '5' ? 0755 : 0644);
    octal(h, 108, 8, 1000);
    octal(h, 116, 8, 1000);
    octal(h, 124, 12, size);
    octal(h, 136, 12, 1_700_000_000L);
    h[156] = (byte) type;
    byte[] l = link.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(l, 0, h, 157, l.length);
    byte[] magic = {'u', 's', 't', 'a', 'r', 0, '0', '0'};
    System.arraycopy(magic, 0, h, 257, 8);
    byte[] user = "dev".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(user, 0, h, 265, user.length);
    System.arraycopy(user, 0, h, 297, user.length);
    checksum(h);
    return h;
  }

  static void checksum(byte[] h) {
    for (int i = 148; i < 156; i++) h[i] = ' ';
    long sum = 0;
    for (byte b : h) sum += b & 0xff;
    octal(h, 148, 7, sum);
  }

  private static void octal(byte[] h, int off, int len, long v) {
    String s = String.format("%0" + (len - 1) + "o", v);
    System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
    h[off + len - 1] = 0;
  }

  static byte[] paxRecord(String key, String value) {
    byte[] kv = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
    int len = kv.length + 1;
    while (String.valueOf(len).length() + kv.length != len) len = String.valueOf(len).length() + kv.length;
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(String.valueOf(len).getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(kv);
    return b.toByteArray();
  }
}
