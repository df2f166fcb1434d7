package io.genrtl.llm.http;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.genrtl.core.llm.LlmException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One WireMock server per test class (started before its first test, stopped after its last), reset before each test.
 * Console output is captured during every test and must never contain the API key.
 */
abstract class StubServerTest {
  static WireMockServer wm;
  Fixtures.ConsoleCapture console;
  Fixtures.Sleeps sleeps;

  @BeforeAll
  static void startServer() {
    wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").gzipDisabled(true));
    wm.start();
  }

  @AfterAll
  static void stopServer() {
    wm.stop();
  }

  @BeforeEach
  void resetServer() {
    wm.resetAll();
    sleeps = new Fixtures.Sleeps();
    console = new Fixtures.ConsoleCapture();
  }

  @AfterEach
  void keyNeverPrinted() {
    console.close();
    assertThat(console.text()).doesNotContain(Fixtures.KEY);
    // a request no stub matched is the connector's fault: show the nearest stub (key masked) to say why
    wm.findNearMissesForAllUnmatchedRequests().forEach(miss ->
        System.err.println("unmatched request, nearest stub: " + miss.getDiff().toString().replace(Fixtures.KEY, "<key>")));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + wm.port() + "/v1";
  }

  /** The key appears in no message of the exception or its causes. */
  static void assertNoKey(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(String.valueOf(c.getMessage())).doesNotContain(Fixtures.KEY);
      assertThat(c.toString()).doesNotContain(Fixtures.KEY);
    }
  }

  static LlmException caught(Runnable r) {
    try {
      r.run();
    } catch (LlmException e) {
      assertNoKey(e);
      return e;
    }
    throw new AssertionError("expected an LlmException");
  }
}
