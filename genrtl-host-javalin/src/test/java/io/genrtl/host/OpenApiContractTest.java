package io.genrtl.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/openapi.yaml} against the routes Javalin registered: every served route is documented, every documented
 * route is served, and each operation states its auth requirement consistently ({@code x-genrtl-auth}, {@code security},
 * the 401/403/404 answers it can give). {@link RouteRoleMatrixTest} checks the requirement over HTTP.
 */
class OpenApiContractTest {
  @TempDir Path dir;
  private FullApp app;
  private final OpenApiDoc doc = OpenApiDoc.load();

  @BeforeEach
  void start() {
    app = new FullApp(dir);
  }

  @AfterEach
  void stop() {
    app.close();
  }

  @Test
  void everyServedRouteIsDocumentedAndEveryDocumentedRouteIsServed() {
    Set<String> served = OpenApiDoc.servedRoutes(app.app);
    Set<String> documented = new TreeSet<>();
    doc.operations.forEach(o -> documented.add(o.key()));
    assertThat(served).as("routes the host serves").hasSizeGreaterThan(40);
    Set<String> undocumented = new TreeSet<>(served);
    undocumented.removeAll(documented);
    Set<String> notServed = new TreeSet<>(documented);
    notServed.removeAll(served);
    assertThat(undocumented).as("served but not in docs/openapi.yaml").isEmpty();
    assertThat(notServed).as("in docs/openapi.yaml but not served").isEmpty();
  }

  @Test
  void everyOperationStatesItsAuthRequirementConsistently() {
    assertThat(doc.root.path("openapi").asText()).isEqualTo("3.1.0");
    List<String> problems = new ArrayList<>();
    for (OpenApiDoc.Operation o : doc.operations) {
      if (o.auth() == null || !OpenApiDoc.AUTH.contains(o.auth())) {
        problems.add(o.key() + ": x-genrtl-auth must be one of " + OpenApiDoc.AUTH);
        continue;
      }
      JsonNode security = o.node().get("security");
      boolean open = security != null && security.isArray() && security.isEmpty();
      boolean noKey = o.auth().equals("none") || o.auth().equals("credential");
      if (noKey != open) problems.add(o.key() + ": security: [] exactly when x-genrtl-auth is none or credential");
      JsonNode responses = o.node().path("responses");
      if (!responses.isObject() || responses.isEmpty()) problems.add(o.key() + ": no responses");
      if (!o.auth().equals("none") && !responses.has("401")) problems.add(o.key() + ": a protected route documents 401");
      if ((o.auth().equals("admin") || o.auth().equals("super_admin")) && !responses.has("403")) {
        problems.add(o.key() + ": an admin route documents 403");
      }
      if (o.owned() && !responses.has("404")) problems.add(o.key() + ": an owned object's route documents 404");
      if (o.owned() && o.pathParams().isEmpty()) problems.add(o.key() + ": x-genrtl-owned without a path parameter");
      if (o.path().startsWith("/api/admin/") && !(o.auth().equals("admin") || o.auth().equals("super_admin"))) {
        problems.add(o.key() + ": /api/admin/ routes need an admin role");
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyReferenceResolves() {
    List<String> refs = new ArrayList<>();
    collectRefs(doc.root, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).startsWith("#/");
      assertThat(doc.root.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
    }
  }

  private static void collectRefs(JsonNode n, List<String> out) {
    if (n.isObject()) {
      for (Iterator<java.util.Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        var e = it.next();
        if (e.getKey().equals("$ref")) out.add(e.getValue().asText());
        else collectRefs(e.getValue(), out);
      }
    } else if (n.isArray()) {
      n.forEach(c -> collectRefs(c, out));
    }
  }
}
