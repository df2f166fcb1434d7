package io.genrtl.cbb.pkg;

import io.genrtl.core.base.GenRtlException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A strict zip reader over a file channel (random access, nothing written anywhere). The central directory is
 * what extractors list, so names, types and sizes come from it; every local header must repeat the central name,
 * and the entries must tile the file from byte 0 to the central directory without gaps or overlaps, so a
 * streaming extractor cannot see an entry that was not inspected (and overlapping "zip bombs" are refused).
 * Only stored and deflated entries, no encryption, no multi-disk archives.
 */
final class ZipReader {
  private static final int LOC_SIG = 0x04034b50;
  private static final int CEN_SIG = 0x02014b50;
  private static final int EOCD_SIG = 0x06054b50;
  private static final int Z64_LOC_SIG = 0x07064b50;
  private static final int Z64_EOCD_SIG = 0x06064b50;
  private static final int DD_SIG = 0x08074b50;
  private static final int EOCD_LEN = 22;
  private static final int CHUNK = 64 * 1024;

  private static final class Cen {
    String name;
    byte[] rawName;
    int flags;
    int method;
    long crc;
    long csize;
    long usize;
    long lho;
    long dataStart;
    EntryVisitor.Accepted accepted;
  }

  private final FileChannel ch;
  private final long size;
  private final List<Cen> entries = new ArrayList<>();
  private final Map<String, Cen> byPath = new HashMap<>();
  private long cdOffset;

  ZipReader(FileChannel ch) throws IOException {
    this.ch = ch;
    this.size = ch.size();
  }

  void read(Budget budget, EntryVisitor visitor) throws IOException {
    long[] cd = endOfCentralDirectory();
    long count = cd[0];
    cdOffset = cd[1];
    budget.expectEntries(count);
    readCentralDirectory(count, cd[1] + cd[2], budget, visitor);
    List<Cen> physical = new ArrayList<>(entries);
    physical.sort(Comparator.comparingLong(e -> e.lho));
    checkLocalHeaders(physical);
    for (Cen e : physical) {
      byte[] data = data(e, budget, e.accepted.keep());
      if (data != null) visitor.retained(e.accepted.path(), data);
    }
  }

  /** The data of an entry {@link #read} accepted, read again (its sizes and CRC were checked then). */
  byte[] reread(String path, Budget budget) throws IOException {
    Cen e = byPath.get(path);
    return e == null ? null : data(e, budget, true);
  }

  /** {count, central directory offset, central directory size}. */
  private long[] endOfCentralDirectory() throws IOException {
    if (size < EOCD_LEN) throw notArchive(null, "the zip archive is too short");
    long from = Math.max(0, size - EOCD_LEN - 0xffff);
    ByteBuffer tail = readAt(from, (int) (size - from));
    int at = -1;
    for (int i = tail.limit() - EOCD_LEN; i >= 0; i--) {
      if (tail.getInt(i) == EOCD_SIG && u16(tail, i + 20) == tail.limit() - i - EOCD_LEN) {
        at = i;
        break;
      }
    }
    if (at < 0) throw notArchive(null, "the zip archive has no end of central directory record at its end");
    long eocd = from + at;
    int disk = u16(tail, at + 4);
    int cdDisk = u16(tail, at + 6);
    long countOnDisk = u16(tail, at + 8);
    long count = u16(tail, at + 10);
    long cdSize = u32(tail, at + 12);
    long cdOff = u32(tail, at + 16);
    long cdEnd = eocd;
    boolean saturated = count == 0xffff || countOnDisk == 0xffff || cdSize == 0xffffffffL || cdOff == 0xffffffffL;
    ByteBuffer loc = eocd >= 20 ? readAt(eocd - 20, 20) : null;
    boolean zip64 = loc != null && loc.getInt(0) == Z64_LOC_SIG;
    if (saturated && !zip64) throw notArchive(null, "the zip64 end of central directory locator is missing");
    if (zip64) {
      // some writers add the zip64 records even when every value fits the classic end record
      if (loc.getInt(4) != 0 || loc.getInt(16) != 1) throw notArchive(null, "multi-disk zip archives are not supported");
      long z64 = loc.getLong(8);
      if (z64 < 0 || z64 > eocd - 20 - 56) throw notArchive(null, "the zip64 end of central directory is misplaced");
      ByteBuffer z = readAt(z64, 56);
      if (z.getInt(0) != Z64_EOCD_SIG || z64 + 12 + z.getLong(4) != eocd - 20) {
        throw notArchive(null, "the zip64 end of central directory record is malformed");
      }
      disk = z.getInt(16);
      cdDisk = z.getInt(20);
      countOnDisk = z.getLong(24);
      count = z.getLong(32);
      cdSize = z.getLong(40);
      cdOff = z.getLong(48);
      cdEnd = z64;
    }
    if (disk != 0 || cdDisk != 0 || countOnDisk != count) throw notArchive(null, "multi-disk zip archives are not supported");
    if (count < 0 || cdSize < 0 || cdOff < 0 || cdOff > cdEnd || cdEnd - cdOff != cdSize) {
      throw notArchive(null, "the zip central directory is not where the end record says");
    }
    return new long[] {count, cdOff, cdSize};
  }

  private void readCentralDirectory(long count, long cdEnd, Budget budget, EntryVisitor visitor) throws IOException {
    long pos = cdOffset;
    long declared = 0;
    for (long i = 0; i < count; i++) {
      if (cdEnd - pos < 46) throw notArchive(null, "the zip central directory is truncated");
      ByteBuffer h = readAt(pos, 46);
      if (h.getInt(0) != CEN_SIG) throw notArchive(null, "the zip central directory is malformed");
      Cen e = new Cen();
      e.flags = u16(h, 8);
      e.method = u16(h, 10);
      e.crc = u32(h, 16);
      e.csize = u32(h, 20);
      e.usize = u32(h, 24);
      int nameLen = u16(h, 28);
      int extraLen = u16(h, 30);
      int commentLen = u16(h, 32);
      int diskStart = u16(h, 34);
      long external = u32(h, 38);
      e.lho = u32(h, 42);
      if (cdEnd - pos - 46 < (long) nameLen + extraLen + commentLen) {
        throw notArchive(null, "the zip central directory is truncated");
      }
      e.rawName = bytes(readAt(pos + 46, nameLen));
      e.name = Utf8.name(e.rawName);
      ByteBuffer extra = readAt(pos + 46 + nameLen, extraLen);
      pos += 46L + nameLen + extraLen + commentLen;

      // zip64 values, in this order, for the fields that are saturated
      ByteBuffer z64 = field(extra, 0x0001, e.name);
      int zp = 0;
      try {
        if (e.usize == 0xffffffffL) {
          e.usize = z64Long(z64, zp, e.name);
          zp += 8;
        }
        if (e.csize == 0xffffffffL) {
          e.csize = z64Long(z64, zp, e.name);
          zp += 8;
        }
        if (e.lho == 0xffffffffL) e.lho = z64Long(z64, zp, e.name);
      } catch (IndexOutOfBoundsException ex) {
        throw notArchive(e.name, "the zip64 extra field of '" + Reasons.printable(e.name) + "' is too short");
      }
      if (diskStart != 0) throw notArchive(e.name, "multi-disk zip archives are not supported");
      unicodePath(extra, e.name);
      if ((e.flags & 0x2041) != 0) throw notArchive(e.name, "'" + Reasons.printable(e.name) + "' is encrypted");
      if (e.method != 0 && e.method != 8) {
        throw notArchive(e.name, "'" + Reasons.printable(e.name) + "' uses compression method " + e.method
            + " (only stored and deflated are supported)");
      }
      if (e.csize < 0 || e.usize < 0 || e.lho < 0) throw notArchive(e.name, "a zip64 size is out of range");
      if (e.method == 0 && e.csize != e.usize) {
        throw notArchive(e.name, "stored entry '" + Reasons.printable(e.name) + "' has different sizes");
      }

      e.accepted = visitor.entry(e.name, kind(external, e.name), e.usize);
      if (e.accepted.path() == null && e.usize != 0 || e.name.endsWith("/") && e.usize != 0) {
        throw notArchive(e.name, "directory entry '" + Reasons.printable(e.name) + "' has data");
      }
      declared += e.usize;
      budget.expect(e.name, declared);
      entries.add(e);
      if (e.accepted.path() != null) byPath.put(e.accepted.path(), e);
    }
    if (pos != cdEnd) throw notArchive(null, "the zip central directory has more records than its end record says");
  }

  /** The unix mode in the high 16 bits of the external attributes decides links and special files. */
  private EntryVisitor.Kind kind(long external, String name) {
    int type = (int) (external >>> 16) & 0xf000;
    switch (type) {
      case 0xa000:
        return EntryVisitor.Kind.SYMLINK;
      case 0x1000: // FIFO
      case 0x2000: // character device
      case 0x6000: // block device
      case 0xc000: // socket
        return EntryVisitor.Kind.SPECIAL;
      case 0x4000:
        if (!name.endsWith("/")) {
          throw notArchive(name, "'" + Reasons.printable(name) + "' has a directory mode but no trailing /");
        }
        return EntryVisitor.Kind.DIR;
      default:
        return name.endsWith("/") ? EntryVisitor.Kind.DIR : EntryVisitor.Kind.FILE;
    }
  }

  private void checkLocalHeaders(List<Cen> physical) throws IOException {
    long expected = 0;
    for (Cen e : physical) {
      if (e.lho != expected) {
        throw notArchive(e.name, e.lho < expected ? "entry '" + Reasons.printable(e.name) + "' overlaps another"
            : "there are bytes no entry accounts for before '" + Reasons.printable(e.name) + "'");
      }
      if (size - e.lho < 30) throw notArchive(e.name, "the zip archive is truncated");
      ByteBuffer h = readAt(e.lho, 30);
      int nameLen = u16(h, 26);
      int extraLen = u16(h, 28);
      int flags = u16(h, 6);
      if (h.getInt(0) != LOC_SIG || u16(h, 8) != e.method || (flags & 0x0809) != (e.flags & 0x0809)) {
        throw notArchive(e.name, "the local header of '" + Reasons.printable(e.name)
            + "' does not match the central directory");
      }
      byte[] localName = bytes(readAt(e.lho + 30, nameLen));
      if (!Arrays.equals(localName, e.rawName)) {
        throw notArchive(e.name, "the local header of '" + Reasons.printable(e.name) + "' names another path");
      }
      ByteBuffer extra = readAt(e.lho + 30 + nameLen, extraLen);
      ByteBuffer z64 = field(extra, 0x0001, e.name);
      unicodePath(extra, e.name);
      e.dataStart = e.lho + 30 + nameLen + extraLen;
      if (e.csize > size - e.dataStart) throw notArchive(e.name, "the data of '" + Reasons.printable(e.name) + "' is truncated");
      long end = e.dataStart + e.csize;
      boolean descriptor = (e.flags & 0x0008) != 0;
      if (!descriptor) {
        long lcsize = u32(h, 18);
        long lusize = u32(h, 22);
        try {
          if (lusize == 0xffffffffL || lcsize == 0xffffffffL) {
            lusize = z64Long(z64, 0, e.name);
            lcsize = z64Long(z64, 8, e.name);
          }
        } catch (IndexOutOfBoundsException ex) {
          throw notArchive(e.name, "the zip64 extra field of '" + Reasons.printable(e.name) + "' is too short");
        }
        if (u32(h, 14) != e.crc || lcsize != e.csize || lusize != e.usize) {
          throw notArchive(e.name, "the local header of '" + Reasons.printable(e.name)
              + "' does not match the central directory");
        }
        expected = end;
      } else {
        expected = end + descriptorLength(e, end, z64 != null);
      }
    }
    if (expected != cdOffset) {
      throw notArchive(null, "there are bytes no entry accounts for before the zip central directory");
    }
  }

  /** A data descriptor, with or without its signature, with 4- or (zip64) 8-byte sizes. */
  private long descriptorLength(Cen e, long at, boolean zip64) throws IOException {
    int sizeLen = zip64 ? 8 : 4;
    int withSig = 8 + 2 * sizeLen;
    ByteBuffer d = readAt(at, (int) Math.min(withSig, size - at));
    if (d.limit() >= withSig && d.getInt(0) == DD_SIG && descriptorMatches(d, 4, e, zip64)) return withSig;
    if (d.limit() >= withSig - 4 && descriptorMatches(d, 0, e, zip64)) return withSig - 4;
    throw notArchive(e.name, "the data descriptor of '" + Reasons.printable(e.name)
        + "' does not match the central directory");
  }

  private static boolean descriptorMatches(ByteBuffer d, int off, Cen e, boolean zip64) {
    if (u32(d, off) != e.crc) return false;
    if (zip64) return d.getLong(off + 4) == e.csize && d.getLong(off + 12) == e.usize;
    return u32(d, off + 4) == e.csize && u32(d, off + 8) == e.usize;
  }

  /**
   * Streams one entry's data through the budget, checking that it ends exactly where the central directory
   * says and has the announced size and CRC. Returns the data when {@code keep}, else null.
   */
  private byte[] data(Cen e, Budget budget, boolean keep) throws IOException {
    String name = e.name;
    ByteArrayOutputStream kept = keep ? new ByteArrayOutputStream((int) Math.min(e.usize, CHUNK)) : null;
    CRC32 crc = new CRC32();
    long produced = 0;
    long pos = e.dataStart;
    long left = e.csize;
    byte[] in = new byte[(int) Math.min(CHUNK, Math.max(left, 1))];
    byte[] out = new byte[CHUNK];
    if (e.method == 0) {
      while (left > 0) {
        int n = (int) Math.min(in.length, left);
        readInto(pos, in, n);
        pos += n;
        left -= n;
        budget.consume(name, n);
        crc.update(in, 0, n);
        produced += n;
        if (kept != null && produced <= e.usize) kept.write(in, 0, n);
      }
    } else {
      Inflater inflater = new Inflater(true);
      try {
        while (true) {
          if (inflater.needsInput() && left > 0) {
            int n = (int) Math.min(in.length, left);
            readInto(pos, in, n);
            pos += n;
            left -= n;
            inflater.setInput(in, 0, n);
          }
          int n = inflater.inflate(out);
          if (n > 0) {
            budget.consume(name, n);
            crc.update(out, 0, n);
            produced += n;
            if (kept != null && produced <= e.usize) kept.write(out, 0, n);
            continue;
          }
          if (inflater.finished()) break;
          if (inflater.needsDictionary() || inflater.needsInput() && left == 0) {
            throw notArchive(name, "the compressed data of '" + Reasons.printable(name) + "' is truncated or corrupt");
          }
        }
        if (left != 0 || inflater.getRemaining() != 0) {
          throw notArchive(name, "the compressed data of '" + Reasons.printable(name)
              + "' does not end where the central directory says");
        }
      } catch (DataFormatException ex) {
        throw notArchive(name, "the compressed data of '" + Reasons.printable(name) + "' is corrupt", ex);
      } finally {
        inflater.end();
      }
    }
    if (produced != e.usize || crc.getValue() != e.crc) {
      throw notArchive(name, "'" + Reasons.printable(name) + "' does not have the size or CRC-32 its header says");
    }
    return kept == null ? null : kept.toByteArray();
  }

  /** Refuses a Unicode Path extra field (0x7075) that names another path than the entry's own name. */
  private static void unicodePath(ByteBuffer extra, String name) {
    ByteBuffer u = field(extra, 0x7075, name);
    if (u == null) return;
    if (u.limit() < 5) throw notArchive(name, "the Unicode path field of '" + Reasons.printable(name) + "' is malformed");
    byte[] raw = new byte[u.limit() - 5];
    u.position(5);
    u.get(raw);
    String other = Utf8.name(raw);
    if (!other.equals(name)) {
      throw notArchive(name, "the Unicode path field of '" + Reasons.printable(name) + "' names '"
          + Reasons.printable(other) + "'");
    }
  }

  /** The data of the extra field {@code id} (little-endian view), or null; malformed extra blocks are refused. */
  private static ByteBuffer field(ByteBuffer extra, int id, String name) {
    int p = 0;
    ByteBuffer found = null;
    while (p < extra.limit()) {
      if (extra.limit() - p < 4) throw notArchive(name, "the extra fields of '" + Reasons.printable(name) + "' are malformed");
      int fid = u16(extra, p);
      int len = u16(extra, p + 2);
      if (extra.limit() - p - 4 < len) throw notArchive(name, "the extra fields of '" + Reasons.printable(name) + "' are malformed");
      if (fid == id) {
        if (found != null) throw notArchive(name, "'" + Reasons.printable(name) + "' repeats an extra field");
        found = extra.duplicate().position(p + 4).limit(p + 4 + len).slice().order(ByteOrder.LITTLE_ENDIAN);
      }
      p += 4 + len;
    }
    return found;
  }

  private static long z64Long(ByteBuffer z64, int off, String name) {
    if (z64 == null) throw notArchive(name, "'" + Reasons.printable(name) + "' lacks its zip64 extra field");
    return z64.getLong(off);
  }

  private ByteBuffer readAt(long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      int n = ch.read(b, pos + b.position());
      if (n < 0) throw notArchive(null, "the zip archive is truncated", new EOFException());
    }
    return b.flip();
  }

  private void readInto(long pos, byte[] dst, int len) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(dst, 0, len);
    while (b.hasRemaining()) {
      int n = ch.read(b, pos + b.position());
      if (n < 0) throw notArchive(null, "the zip archive is truncated", new EOFException());
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static int u16(ByteBuffer b, int at) {
    return b.getShort(at) & 0xffff;
  }

  private static long u32(ByteBuffer b, int at) {
    return b.getInt(at) & 0xffffffffL;
  }

  private static GenRtlException notArchive(String entry, String message) {
    return notArchive(entry, message, null);
  }

  private static GenRtlException notArchive(String entry, String message, Throwable cause) {
    return Reasons.reject(Reasons.NOT_AN_ARCHIVE, entry, message, cause);
  }
}
