package io.genrtl.host.http;

import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Every response carries {@code X-Request-Id}: the client's own when it is sane, otherwise a fresh one. */
final class RequestIds {
  static final String HEADER = "X-Request-Id";
  static final String ATTRIBUTE = "genrtl.request-id";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RequestIds() {}

  static void assign(Context ctx) {
    String given = ctx.header(HEADER);
    String id;
    if (given != null && SANE.matcher(given).matches()) {
      id = given;
    } else {
      byte[] b = new byte[12];
      RANDOM.nextBytes(b);
      id = "req_" + HexFormat.of().formatHex(b);
    }
    ctx.attribute(ATTRIBUTE, id);
    ctx.header(HEADER, id);
  }
}
