package io.genrtl.cbb.pkg;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: malformed input is an error, never a replacement character. */
final class Utf8 {
  private Utf8() {}

  /** The decoded text, or null when the bytes are not valid UTF-8. */
  static String decode(byte[] bytes, int off, int len) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, off, len))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  static String decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  /** A name that is not valid UTF-8, refused like a name with control characters. */
  static String name(byte[] raw) {
    String s = decode(raw);
    if (s == null) {
      String lossy = new String(raw, StandardCharsets.UTF_8);
      throw Reasons.reject(Reasons.NUL_IN_NAME, lossy, "the entry name '" + Reasons.printable(lossy)
          + "' is not valid UTF-8");
    }
    return s;
  }
}
