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
    GenRtl genrtl = GenRtl.builder().stores(InMemoryStores.create()).build();
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

  /**
   * Issue "Security findings from a hostile review", Low: a 400 for a path with {@code %00} closed the connection
   * without saying so. The request is sent on a connection the client keeps open (no {@code Connection: close}, output
   * not shut down): the answer must carry {@code Connection: close}, and the server must then close (end of stream,
   * not the read timeout), without answering a second request sent on the same connection.
   */
  @Test
  void low_nulPathClosesWithConnectionClose() throws Exception {
    for (String path : new String[] {"/api/me%00", "/api/%00/x", "/healthz%00", "/api/cbb/download/a%00b"}) {
      try (Socket s = new Socket("127.0.0.1", app.port())) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        int n;
        while ((n = in.read(b)) > 0) buf.write(b, 0, n); // a SocketTimeoutException here: the server left it open
        String response = buf.toString(StandardCharsets.ISO_8859_1);
        assertProblem(response, 400);
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
        assertThat(head).as(path).contains("\r\nconnection: close");
        assertThat(response).as(path).doesNotContain("\"status\":\"ok\"").containsOnlyOnce("HTTP/1.1 ");
      }
    }
  }

  @Test
  void otherRefusalsBeforeAnyRouteAlsoSayConnectionClose() throws Exception {
    String big = "a".repeat(40_000);
    assertThat(raw("GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n").toLowerCase()).contains("\r\nconnection: close");
    assertThat(raw("POST /api/workspaces HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n").toLowerCase())
        .contains("\r\nconnection: close");
  }
}
