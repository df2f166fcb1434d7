package io.genrtl.host.http;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Reads request bodies with a hard cap, whether or not the client sent a Content-Length. A body over the cap is
 * refused with 413; up to {@link #DRAIN_LIMIT} bytes of it are read and discarded first, so that a client still
 * sending gets the 413 instead of a connection reset. Beyond that the connection is closed after the answer.
 */
final class Bodies {
  static final long DRAIN_LIMIT = 16L << 20;

  private Bodies() {}

  static byte[] read(Context ctx, long maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), maxBytes));
    copyCapped(ctx, out, maxBytes);
    return out.toByteArray();
  }

  /** Streams the body into {@code file}, refusing more than {@code maxBytes} (413) before all of it is stored. */
  static void copyToFile(Context ctx, Path file, long maxBytes) {
    long total;
    try (OutputStream out = Files.newOutputStream(file)) {
      total = copyCapped(ctx, out, maxBytes);
    } catch (IOException e) {
      throw unreadable();
    }
    if (total == 0) throw GenRtlException.invalid("$", "send the package archive as the request body");
  }

  /** Copies the body to {@code out}; over {@code maxBytes} (declared or counted) it is refused with 413. */
  private static long copyCapped(Context ctx, OutputStream out, long maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    try (InputStream in = ctx.req().getInputStream()) {
      if (declared > maxBytes) {
        drainOrClose(ctx, in, 0);
        throw tooLarge(maxBytes);
      }
      byte[] buf = new byte[65536];
      long total = 0;
      int n;
      while ((n = in.read(buf)) != -1) {
        total += n;
        if (total > maxBytes) {
          drainOrClose(ctx, in, total);
          throw tooLarge(maxBytes);
        }
        out.write(buf, 0, n);
      }
      return total;
    } catch (IOException e) {
      throw unreadable();
    }
  }

  private static GenRtlException unreadable() {
    return new GenRtlException(ErrorCode.VALIDATION_FAILED, "the request body could not be read", Map.of("field", "$"));
  }

  private static void drainOrClose(Context ctx, InputStream in, long alreadyRead) throws IOException {
    byte[] buf = new byte[16384];
    long total = alreadyRead;
    int n;
    while (total <= DRAIN_LIMIT && (n = in.read(buf)) != -1) total += n;
    if (total > DRAIN_LIMIT) ctx.header("Connection", "close");
  }

  /** Reads a JSON object body; an empty body is an empty object. A non-JSON content type is 415. */
  static JsonBody json(Context ctx, long maxBytes) {
    String type = ctx.header("Content-Type");
    if (type != null && !type.isBlank()) {
      String t = type.toLowerCase(Locale.ROOT);
      if (!t.startsWith("application/json") && !(t.contains("+json"))) {
        throw new GenRtlException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send JSON with Content-Type: application/json");
      }
    }
    byte[] bytes = read(ctx, maxBytes);
    if (bytes.length == 0) return JsonBody.empty();
    return JsonBody.of(Json.parse(bytes));
  }

  private static GenRtlException tooLarge(long max) {
    return new GenRtlException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body exceeds " + max + " bytes",
        Map.of("max_bytes", max));
  }
}
