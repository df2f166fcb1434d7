package io.genrtl.cbb.pkg;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A small, deterministic raw DEFLATE encoder (RFC 1951): greedy LZ77 over a 32 KiB window with bounded hash
 * chains, one final block with the fixed Huffman codes. Unlike {@link java.util.zip.Deflater}, whose output
 * depends on the zlib build the JVM links (zlib, zlib-ng, patched forks), the same input gives the same bytes on
 * every machine, which is what reproducible packages need. Input is processed in fixed-size chunks, so the
 * output does not depend on how the caller splits its writes either.
 */
final class Deflate extends OutputStream {
  private static final int WSIZE = 1 << 15;
  private static final int MIN_MATCH = 3;
  private static final int MAX_MATCH = 258;
  private static final int CHUNK = 1 << 18;
  /** Input needed past a chunk before it is encoded: a match may start just before the end and run on. */
  private static final int LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1;
  private static final int HASH_BITS = 15;
  private static final int MAX_CHAIN = 64;

  private static final int[] LEN_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67,
      83, 99, 115, 131, 163, 195, 227, 258};
  private static final int[] LEN_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5,
      5, 5, 0};
  private static final int[] DIST_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
      769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
  private static final int[] DIST_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11,
      11, 12, 12, 13, 13};

  private final OutputStream out;
  /** Window (up to WSIZE bytes already encoded) followed by pending input. */
  private final byte[] buf = new byte[WSIZE + CHUNK + LOOKAHEAD];
  /** Stream position of buf[0]. */
  private long base;
  /** buf index of the next byte to encode, and of the end of the input. */
  private int pos;
  private int end;
  private final long[] head = new long[1 << HASH_BITS];
  private final long[] prev = new long[WSIZE];
  private final byte[] outBuf = new byte[1 << 16];
  private int outLen;
  private long bits;
  private int bitCount;
  private boolean closed;

  Deflate(OutputStream out) {
    this.out = out;
    Arrays.fill(head, -1);
    Arrays.fill(prev, -1);
    writeBits(1, 1); // BFINAL: the only block
    writeBits(1, 2); // BTYPE 01: fixed Huffman codes
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) throw new IOException("closed");
    while (len > 0) {
      int n = Math.min(len, buf.length - end);
      System.arraycopy(b, off, buf, end, n);
      end += n;
      off += n;
      len -= n;
      while (end - pos >= CHUNK + LOOKAHEAD) encode(pos + CHUNK);
      if (end == buf.length) slide();
    }
  }

  /** Ends the block, flushes, and closes the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) return;
    finish();
    out.close();
  }

  /** Ends the block and flushes, leaving the underlying stream open. */
  void finish() throws IOException {
    if (closed) return;
    closed = true;
    encode(end);
    literalOrLength(256);
    if (bitCount > 0) writeBits(0, 8 - bitCount);
    flushOut();
    out.flush();
  }

  /** Encodes buf[pos, limit): matches may read past limit, up to {@code end}. */
  private void encode(int limit) throws IOException {
    while (pos < limit) {
      int bestLen = 0;
      int bestDist = 0;
      int avail = Math.min(MAX_MATCH, end - pos);
      if (avail >= MIN_MATCH) {
        int h = hash(pos);
        long abs = base + pos;
        long cand = head[h];
        int chain = MAX_CHAIN;
        while (cand >= 0 && abs - cand <= WSIZE && chain-- > 0) {
          int c = (int) (cand - base);
          if (c >= 0 && buf[c + bestLen] == buf[pos + bestLen]) {
            int l = 0;
            while (l < avail && buf[c + l] == buf[pos + l]) l++;
            if (l > bestLen) {
              bestLen = l;
              bestDist = (int) (abs - cand);
              if (l == avail) break;
            }
          }
          cand = prev[(int) (cand & (WSIZE - 1))];
        }
        insert(pos, h);
      }
      if (bestLen >= MIN_MATCH) {
        match(bestLen, bestDist);
        for (int i = 1; i < bestLen; i++) {
          if (end - (pos + i) >= MIN_MATCH) insert(pos + i, hash(pos + i));
        }
        pos += bestLen;
      } else {
        literalOrLength(buf[pos] & 0xff);
        pos++;
      }
    }
  }

  /** Keeps the last WSIZE encoded bytes and the pending input, dropping the rest. */
  private void slide() {
    int keepFrom = Math.max(0, pos - WSIZE);
    if (keepFrom == 0) return;
    System.arraycopy(buf, keepFrom, buf, 0, end - keepFrom);
    base += keepFrom;
    pos -= keepFrom;
    end -= keepFrom;
  }

  private int hash(int p) {
    int v = ((buf[p] & 0xff) << 16) | ((buf[p + 1] & 0xff) << 8) | (buf[p + 2] & 0xff);
    return (v * 0x9E3779B1) >>> (32 - HASH_BITS);
  }

  private void insert(int p, int h) {
    long abs = base + p;
    prev[(int) (abs & (WSIZE - 1))] = head[h];
    head[h] = abs;
  }

  private void match(int len, int dist) throws IOException {
    int lc = LEN_BASE.length - 1;
    while (LEN_BASE[lc] > len) lc--;
    literalOrLength(257 + lc);
    if (LEN_EXTRA[lc] > 0) writeBits(len - LEN_BASE[lc], LEN_EXTRA[lc]);
    int dc = DIST_BASE.length - 1;
    while (DIST_BASE[dc] > dist) dc--;
    writeCode(dc, 5);
    if (DIST_EXTRA[dc] > 0) writeBits(dist - DIST_BASE[dc], DIST_EXTRA[dc]);
  }

  /** The fixed Huffman code of a literal/length symbol (RFC 1951, 3.2.6). */
  private void literalOrLength(int sym) throws IOException {
    if (sym < 144) {
      writeCode(0x30 + sym, 8);
    } else if (sym < 256) {
      writeCode(0x190 + sym - 144, 9);
    } else if (sym < 280) {
      writeCode(sym - 256, 7);
    } else {
      writeCode(0xc0 + sym - 280, 8);
    }
  }

  /** Huffman codes go most significant bit first. */
  private void writeCode(int code, int len) throws IOException {
    writeBits(Integer.reverse(code) >>> (32 - len), len);
  }

  private void writeBits(int value, int n) {
    bits |= ((long) value & ((1L << n) - 1)) << bitCount;
    bitCount += n;
    while (bitCount >= 8) {
      if (outLen == outBuf.length) {
        try {
          flushOut();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      outBuf[outLen++] = (byte) bits;
      bits >>>= 8;
      bitCount -= 8;
    }
  }

  private void flushOut() throws IOException {
    out.write(outBuf, 0, outLen);
    outLen = 0;
  }
}
