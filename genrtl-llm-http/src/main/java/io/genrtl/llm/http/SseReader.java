package io.genrtl.llm.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okio.Buffer;
import okio.BufferedSource;
import okio.ByteString;

/**
 * Server-sent events read from a byte stream, following the WHATWG event-stream rules: lines end in LF, CRLF or a lone
 * CR; {@code event:} sets the type, {@code data:} lines are joined with LF; one space after the colon is dropped; lines
 * starting with a colon are comments; a field without a colon has an empty value; a blank line dispatches the event
 * (none when no data was given); an event left unfinished at the end of the stream is discarded. Lines are decoded as
 * whole units, so bytes split anywhere across network reads, even inside a UTF-8 character or between CR and LF, are
 * read the same.
 */
final class SseReader {
  /** One event; {@code event} is {@code message} when the stream named none. */
  record Event(String event, String data, String id) {}

  /** The stream broke the format (a line beyond the size cap). */
  static final class Broken extends IOException {
    private static final long serialVersionUID = 1L;

    Broken(String message) {
      super(message);
    }
  }

  static final long MAX_LINE_BYTES = 8L * 1024 * 1024;
  private static final ByteString LINE_ENDS = ByteString.encodeUtf8("\r\n");

  private final BufferedSource source;
  private final long maxLineBytes;
  private boolean first = true;
  private String lastEventId = "";

  SseReader(BufferedSource source) {
    this(source, MAX_LINE_BYTES);
  }

  SseReader(BufferedSource source, long maxLineBytes) {
    this.source = source;
    this.maxLineBytes = maxLineBytes;
  }

  /** The next event, or null at the end of the stream. Blocks until a whole event has arrived. */
  Event next() throws IOException {
    String type = null;
    StringBuilder data = null;
    for (String line; (line = readLine()) != null; ) {
      if (line.isEmpty()) {
        if (data == null) {
          type = null;
          continue;
        }
        return new Event(type == null || type.isEmpty() ? "message" : type, data.toString(), lastEventId);
      }
      if (line.charAt(0) == ':') continue;
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = "";
      if (colon >= 0) {
        int start = colon + 1;
        if (start < line.length() && line.charAt(start) == ' ') start++;
        value = line.substring(start);
      }
      switch (field) {
        case "event" -> type = value;
        case "data" -> {
          if (data == null) data = new StringBuilder(value.length()); else data.append('\n');
          data.append(value);
          if (data.length() > maxLineBytes) throw new Broken("event data exceeds " + maxLineBytes + " bytes");
        }
        case "id" -> {
          if (value.indexOf('\0') < 0) lastEventId = value;
        }
        default -> { /* "retry" and unknown fields are ignored */ }
      }
    }
    return null;
  }

  /** One line without its terminator, or null at the end of the stream (a final unterminated line is returned). */
  private String readLine() throws IOException {
    Buffer buffer = source.getBuffer();
    long scanned = 0;
    while (true) {
      long end = buffer.indexOfElement(LINE_ENDS, scanned);
      if (end >= 0) {
        if (end > maxLineBytes) throw new Broken("line exceeds " + maxLineBytes + " bytes");
        String line = decode(buffer.readByteArray(end));
        byte terminator = buffer.readByte();
        // CRLF counts once: after a CR, wait for the next byte (it may be in the next network read).
        if (terminator == '\r' && source.request(1) && buffer.getByte(0) == '\n') buffer.skip(1);
        return line;
      }
      scanned = buffer.size();
      if (scanned > maxLineBytes) throw new Broken("line exceeds " + maxLineBytes + " bytes");
      if (!source.request(scanned + 1)) {
        return buffer.size() == 0 ? null : decode(buffer.readByteArray());
      }
    }
  }

  private String decode(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    if (first) {
      first = false;
      if (!s.isEmpty() && s.charAt(0) == '\uFEFF') s = s.substring(1);
    }
    return s;
  }
}
