package io.genrtl.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.GenRtl;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.host.http.GenRtlApp;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests Jetty refuses before any route sees them (a header block over its limit, a malformed request line or
 * header, a bad URI) still get an RFC 9457 problem document, not Jetty's HTML page, and never a stack trace.
 */
class JettyErrorsTest {
  Javalin app;

  @BeforeEach
  void start() {
    GenRtl genrtl = GenRtl.builder().stores(new InMemoryStores()).build();
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://localhost"));
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  /** Sends raw bytes, reads until the server closes or 64 KiB arrived. */
  private String raw(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", app.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      byte[] b = new byte[8192];
      int n;
      while (buf.size() < 65536 && (n = in.read(b)) > 0) buf.write(b, 0, n);
      return buf.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static void assertProblem(String response, int status) {
    assertThat(response).startsWith("HTTP/1.1 " + status + " ");
    String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
    assertThat(head).contains("content-type: application/problem+json");
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    assertThat(body).contains("\"status\":" + status).contains("\"type\":\"urn:genrtl:problem:")
        .doesNotContain("<html").doesNotContain("Exception").doesNotContain("at org.eclipse");
  }

  @Test
  void anOversizedHeaderBlockIsAProblem() throws Exception {
    String big = "a".repeat(40_000);
    assertProblem(raw("GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n"), 431);
  }

  @Test
  void aMalformedContentLengthIsAProblem() throws Exception {
    assertProblem(raw("POST /api/workspaces HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"), 400);
  }

  @Test
  void aBadUriIsAProblem() throws Exception {
    assertProblem(raw("GET /api/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 400);
  }
}
