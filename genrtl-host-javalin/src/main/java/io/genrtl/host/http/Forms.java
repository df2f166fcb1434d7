package io.genrtl.host.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code application/x-www-form-urlencoded} bodies, read with the body cap; a repeated parameter is an error. */
final class Forms {
  private Forms() {}

  static boolean isForm(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  /** The parameters, or empty when the body is not a well-formed form (bad escapes, repeated names). */
  static Optional<Map<String, String>> parse(byte[] body) {
    Map<String, String> out = new LinkedHashMap<>();
    String s = new String(body, StandardCharsets.UTF_8);
    if (s.isEmpty()) return Optional.of(out);
    try {
      for (String pair : s.split("&", -1)) {
        if (pair.isEmpty()) continue;
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (out.put(k, v) != null) return Optional.empty();
      }
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.of(out);
  }
}
