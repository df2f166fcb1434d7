package io.genrtl.host.obs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Spans leave over OTLP/HTTP (protobuf) to {@code <endpoint>/v1/traces} when an endpoint is configured; none otherwise. */
class OtlpExportTest {
  @Test
  void spansAreExportedOverOtlpHttp() {
    WireMockServer collector = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    collector.start();
    try {
      collector.stubFor(post(urlEqualTo("/v1/traces")).willReturn(aResponse().withStatus(200)));
      Tracing tracing = Tracing.otlp(collector.baseUrl() + "/", "genrtl-otlp-test");
      assertThat(tracing.enabled()).isTrue();
      RequestContext.setRequest("req_otlp_1");
      try {
        tracing.startServer("GET /api/me").end(false, null);
      } finally {
        RequestContext.setRequest(null);
      }
      tracing.close(); // flushes the batch
      collector.verify(1, postRequestedFor(urlEqualTo("/v1/traces"))
          .withHeader("Content-Type", containing("application/x-protobuf")));
      byte[] body = collector.getAllServeEvents().get(0).getRequest().getBody();
      String text = new String(body, StandardCharsets.ISO_8859_1);
      assertThat(text).contains("GET /api/me").contains("genrtl-otlp-test").contains("req_otlp_1");
    } finally {
      collector.stop();
    }
  }

  @Test
  void withoutAnEndpointNothingIsTraced() {
    Tracing off = Tracing.off();
    assertThat(off.enabled()).isFalse();
    off.startServer("x").end(true, "error"); // a no-op
    assertThat(off.inChildSpan("store x", () -> 42)).isEqualTo(42);
    off.close();
  }
}
