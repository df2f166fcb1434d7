package io.genrtl.cbb.pkg;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes the reproducible archives of {@link PackageBuilder}: given the same items, the same bytes, on any
 * machine. Fixed time ({@link #EPOCH_SECONDS}), fixed modes, uid/gid 0 and no owner names, the gzip header
 * without name or time and with OS byte 255 ("unknown"), and {@link Deflate} instead of the platform zlib.
 */
final class ArchiveWriter {
  /** 2000-01-01T00:00:00Z: every entry's modification time. */
  static final long EPOCH_SECONDS = 946_684_800L;
  /** The same instant as an MS-DOS date (zip): 2000-01-01, time 00:00:00. */
  private static final int DOS_DATE = ((2000 - 1980) << 9) | (1 << 5) | 1;
  private static final int TAR_RECORD = 10240;

  /** One entry: a directory (mode 0755) or a file (0644, or 0755 when {@code executable}). */
  record Item(String path, Path source, boolean dir, boolean executable) {
    int mode() {
      return dir ? 040755 : executable ? 0100755 : 0100644;
    }

    String entryName() {
      return dir ? path + "/" : path;
    }
  }

  private ArchiveWriter() {}

  // ---------------------------------------------------------------- tar.gz

  static void writeTarGz(List<Item> items, Path out) throws IOException {
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 64 * 1024)) {
      file.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
      CRC32 crc = new CRC32();
      long[] size = {0};
      Deflate deflate = new Deflate(new FilterOutputStream(file) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() {
          // the gzip trailer follows
        }
      });
      OutputStream tar = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          crc.update(b, off, len);
          size[0] += len;
          deflate.write(b, off, len);
        }
      };
      writeTar(items, tar);
      deflate.finish();
      ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      trailer.putInt((int) crc.getValue()).putInt((int) size[0]);
      file.write(trailer.array());
    }
  }

  static void writeTar(List<Item> items, OutputStream tar) throws IOException {
    long written = 0;
    byte[] buf = new byte[64 * 1024];
    for (Item item : items) {
      long size = item.dir() ? 0 : Files.size(item.source());
      byte[] name = item.entryName().getBytes(StandardCharsets.UTF_8);
      byte[] header = new byte[TarReader.BLOCK];
      if (!ustarName(header, name)) {
        byte[] pax = paxRecord("path", item.entryName());
        byte[] paxHeader = new byte[TarReader.BLOCK];
        String paxName = "PaxHeader/" + tail(item.path(), 80);
        ustarName(paxHeader, paxName.getBytes(StandardCharsets.UTF_8));
        fill(paxHeader, 0100644, pax.length, (byte) 'x');
        tar.write(paxHeader);
        tar.write(pax);
        written += TarReader.BLOCK + pax.length + pad(tar, pax.length);
        // the ustar name field keeps a truncated, harmless copy
        ustarName(header, tail(item.entryName(), 99).getBytes(StandardCharsets.UTF_8));
      }
      fill(header, item.mode(), size, item.dir() ? (byte) '5' : (byte) '0');
      tar.write(header);
      written += TarReader.BLOCK;
      if (!item.dir()) {
        long copied = 0;
        try (InputStream in = Files.newInputStream(item.source())) {
          int n;
          while ((n = in.read(buf)) > 0) {
            if (copied + n > size) throw new IOException(item.source() + " grew while being packed");
            tar.write(buf, 0, n);
            copied += n;
          }
        }
        if (copied != size) throw new IOException(item.source() + " shrank while being packed");
        written += copied + pad(tar, copied);
      }
    }
    tar.write(new byte[2 * TarReader.BLOCK]);
    written += 2 * TarReader.BLOCK;
    int rest = (int) ((TAR_RECORD - written % TAR_RECORD) % TAR_RECORD);
    tar.write(new byte[rest]);
  }

  /** Puts the name in the ustar name (and prefix) fields; false when it does not fit. */
  private static boolean ustarName(byte[] header, byte[] name) {
    if (name.length <= 100) {
      System.arraycopy(name, 0, header, 0, name.length);
      return true;
    }
    for (int i = 0; i < name.length && i <= 155; i++) {
      if (name[i] == '/' && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
        System.arraycopy(name, 0, header, 345, i);
        System.arraycopy(name, i + 1, header, 0, name.length - i - 1);
        return true;
      }
    }
    return false;
  }

  private static void fill(byte[] h, int mode, long size, byte type) throws IOException {
    if (size > 077777777777L) throw new IOException("a file larger than 8 GiB cannot be packed");
    octal(h, 100, 8, mode & 07777);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, EPOCH_SECONDS);
    h[156] = type;
    byte[] magic = {'u', 's', 't', 'a', 'r', 0, '0', '0'};
    System.arraycopy(magic, 0, h, 257, magic.length);
    octal(h, 329, 8, 0);
    octal(h, 337, 8, 0);
    for (int i = 148; i < 156; i++) h[i] = ' ';
    long sum = 0;
    for (byte b : h) sum += b & 0xff;
    String chk = String.format("%06o", sum);
    System.arraycopy(chk.getBytes(StandardCharsets.US_ASCII), 0, h, 148, 6);
    h[154] = 0;
    h[155] = ' ';
  }

  private static void octal(byte[] h, int off, int len, long v) {
    String s = String.format("%0" + (len - 1) + "o", v);
    System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
    h[off + len - 1] = 0;
  }

  private static byte[] paxRecord(String key, String value) {
    byte[] kv = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
    int len = kv.length + 1;
    while (String.valueOf(len).length() + kv.length != len) len = String.valueOf(len).length() + kv.length;
    byte[] digits = String.valueOf(len).getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[len];
    System.arraycopy(digits, 0, out, 0, digits.length);
    System.arraycopy(kv, 0, out, digits.length, kv.length);
    return out;
  }

  private static int pad(OutputStream tar, long size) throws IOException {
    int pad = (int) (TarReader.padded(size) - size);
    tar.write(new byte[pad]);
    return pad;
  }

  private static String tail(String s, int maxBytes) {
    String t = s;
    while (t.getBytes(StandardCharsets.UTF_8).length > maxBytes) t = t.substring(t.offsetByCodePoints(0, 1));
    return t;
  }

  // ---------------------------------------------------------------- zip

  private record Central(byte[] name, int method, long crc, long csize, long usize, int mode, boolean dir, long lho) {}

  static void writeZip(List<Item> items, Path out) throws IOException {
    if (items.size() > 0xffff) throw new IOException("more than 65535 entries need zip64, which the builder does not write");
    List<Central> central = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream chOut = Channels.newOutputStream(ch);
      OutputStream body = new FilterOutputStream(chOut) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() {
          // the channel stays open
        }
      };
      byte[] buf = new byte[64 * 1024];
      for (Item item : items) {
        long lho = ch.position();
        byte[] name = item.entryName().getBytes(StandardCharsets.UTF_8);
        int method = item.dir() ? 0 : 8;
        ch.write(localHeader(name, method, 0, 0, 0));
        long crcValue = 0;
        long usize = 0;
        long start = ch.position();
        if (!item.dir()) {
          CRC32 crc = new CRC32();
          Deflate deflate = new Deflate(body);
          try (InputStream in = Files.newInputStream(item.source())) {
            int n;
            while ((n = in.read(buf)) > 0) {
              crc.update(buf, 0, n);
              usize += n;
              deflate.write(buf, 0, n);
            }
          }
          deflate.finish();
          crcValue = crc.getValue();
        }
        long csize = ch.position() - start;
        if (usize >= 0xffffffffL || csize >= 0xffffffffL || lho >= 0xffffffffL) {
          throw new IOException("a package larger than 4 GiB needs zip64, which the builder does not write");
        }
        ch.write(localHeader(name, method, crcValue, csize, usize), lho);
        central.add(new Central(name, method, crcValue, csize, usize, item.mode(), item.dir(), lho));
      }
      long cdStart = ch.position();
      for (Central c : central) {
        ByteBuffer h = ByteBuffer.allocate(46 + c.name().length).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0x02014b50).putShort((short) ((3 << 8) | 20)).putShort((short) 20).putShort((short) 0x0800)
            .putShort((short) c.method()).putShort((short) 0).putShort((short) DOS_DATE).putInt((int) c.crc())
            .putInt((int) c.csize()).putInt((int) c.usize()).putShort((short) c.name().length).putShort((short) 0)
            .putShort((short) 0).putShort((short) 0).putShort((short) 0)
            .putInt((c.mode() << 16) | (c.dir() ? 0x10 : 0)).putInt((int) c.lho()).put(c.name());
        ch.write(h.flip());
      }
      long cdSize = ch.position() - cdStart;
      if (cdStart >= 0xffffffffL) throw new IOException("a package larger than 4 GiB needs zip64");
      ByteBuffer end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
      end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) central.size())
          .putShort((short) central.size()).putInt((int) cdSize).putInt((int) cdStart).putShort((short) 0);
      ch.write(end.flip());
    }
  }

  private static ByteBuffer localHeader(byte[] name, int method, long crc, long csize, long usize) {
    ByteBuffer h = ByteBuffer.allocate(30 + name.length).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0800).putShort((short) method).putShort((short) 0)
        .putShort((short) DOS_DATE).putInt((int) crc).putInt((int) csize).putInt((int) usize)
        .putShort((short) name.length).putShort((short) 0).put(name);
    return h.flip();
  }
}
