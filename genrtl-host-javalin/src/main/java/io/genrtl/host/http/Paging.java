package io.genrtl.host.http;

import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** {@code ?limit=&cursor=} in, {@code { "items": [...], "next_cursor": ... }} out. Cursors are opaque to clients. */
final class Paging {
  private Paging() {}

  static PageRequest request(Context ctx) {
    int limit = PageRequest.DEFAULT_LIMIT;
    String l = ctx.queryParam("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l.trim());
      } catch (NumberFormatException e) {
        throw GenRtlException.invalid("limit", "limit must be a whole number between 1 and " + PageRequest.MAX_LIMIT);
      }
    }
    String cursor = ctx.queryParam("cursor");
    String after = null;
    if (cursor != null && !cursor.isEmpty()) {
      try {
        after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw GenRtlException.invalid("cursor", "cursor is not one this server issued");
      }
      if (!after.startsWith("k:") || after.length() > 200) {
        throw GenRtlException.invalid("cursor", "cursor is not one this server issued");
      }
      after = after.substring(2);
    }
    return new PageRequest(limit, after);
  }

  static <T> Map<String, Object> response(Page<T> page, Function<T, Object> view) {
    Map<String, Object> body = new LinkedHashMap<>();
    List<Object> items = page.items().stream().map(view).toList();
    body.put("items", items);
    body.put("next_cursor", cursor(page.nextAfter()));
    return body;
  }

  /** The opaque {@code next_cursor} for a page's {@code nextAfter} (null on the last page). */
  static String cursor(String nextAfter) {
    return nextAfter == null ? null
        : Base64.getUrlEncoder().withoutPadding().encodeToString(("k:" + nextAfter).getBytes(StandardCharsets.UTF_8));
  }
}
