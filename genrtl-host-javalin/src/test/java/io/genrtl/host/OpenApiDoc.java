package io.genrtl.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.router.ParsedEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code docs/openapi.yaml} read for the tests, and the routes a Javalin app registered. */
final class OpenApiDoc {
  static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
  static final Set<String> AUTH = Set.of("none", "credential", "api_key", "admin", "super_admin");
  private static final Pattern PARAM = Pattern.compile("\\{([a-z_]+)}");

  /** One documented operation. */
  /** Pages for a browser (outside {@code /api/} and not a probe) answer HTML, errors included, not problem+json. */
  static boolean isHtmlPage(Operation op) {
    return !op.path().startsWith("/api/") && !op.path().equals("/healthz") && !op.path().equals("/readyz")
        && !op.path().equals("/metrics");
  }

  record Operation(String method, String path, String auth, boolean owned, JsonNode node) {
    String key() {
      return method + " " + path;
    }

    List<String> pathParams() {
      List<String> out = new ArrayList<>();
      Matcher m = PARAM.matcher(path);
      while (m.find()) out.add(m.group(1));
      return out;
    }
  }

  final JsonNode root;
  final List<Operation> operations = new ArrayList<>();

  private OpenApiDoc(JsonNode root) {
    this.root = root;
    for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (!METHODS.contains(op.getKey())) continue;
        JsonNode n = op.getValue();
        operations.add(new Operation(op.getKey().toUpperCase(Locale.ROOT), p.getKey(),
            n.hasNonNull("x-genrtl-auth") ? n.get("x-genrtl-auth").asText() : null,
            n.path("x-genrtl-owned").asBoolean(false), n));
      }
    }
  }

  /** The repository's {@code docs/openapi.yaml} (tests run in the module directory). */
  static OpenApiDoc load() {
    Path file = Path.of("..", "docs", "openapi.yaml");
    if (!Files.exists(file)) file = Path.of("docs", "openapi.yaml");
    try {
      return new OpenApiDoc(new YAMLMapper().readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every HTTP route (method and path) the app registered, before/after handlers excluded. */
  static Set<String> servedRoutes(Javalin app) {
    Set<String> out = new TreeSet<>();
    for (ParsedEndpoint e : app.unsafe.internalRouter.allHttpHandlers()) {
      HandlerType t = e.endpoint.method;
      if (!t.isHttpMethod()) continue;
      out.add(t.name().toUpperCase(Locale.ROOT) + " " + e.endpoint.path);
    }
    return out;
  }
}
