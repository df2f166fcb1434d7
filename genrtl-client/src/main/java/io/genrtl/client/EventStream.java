package io.genrtl.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A job's Server-Sent Events as an iterator: each {@code id}/{@code event}/{@code data} block is one {@link
 * Jobs.Event}; comments ({@code : keep-alive}) are skipped; multi-line {@code data} is joined with newlines. The
 * stream ends after the {@code done} event. If the connection drops before {@code done}, it reconnects with {@code
 * Last-Event-ID} (up to the client's attempt limit without progress), so no event is lost or repeated. Close it when
 * you stop early.
 */
public final class EventStream implements Iterator<Jobs.Event>, AutoCloseable {
  private final Transport transport;
  private final String path;
  private String lastEventId;
  private BufferedReader reader;
  private InputStream body;
  private Jobs.Event next;
  private boolean done;
  private int failuresWithoutProgress;

  EventStream(Transport transport, String path, String lastEventId) {
    this.transport = transport;
    this.path = path;
    this.lastEventId = lastEventId;
    connect(); // errors (404, 401) surface here, at the call
  }

  private void connect() {
    HttpRequest.Builder b = transport.request(transport.uri(path, null)).header("Accept", "text/event-stream")
        .timeout(java.time.Duration.ofDays(1));
    if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
    try {
      HttpResponse<InputStream> res = transport.open(b.GET().build());
      body = res.body();
      reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " failed: " + e.getClass().getSimpleName(), e);
    }
  }

  @Override
  public boolean hasNext() {
    if (next != null) return true;
    if (done) return false;
    while (true) {
      try {
        next = read();
      } catch (IOException e) {
        next = null;
      }
      if (next != null) {
        failuresWithoutProgress = 0;
        if (next.id() != null) lastEventId = next.id();
        if ("done".equals(next.event())) done = true;
        return true;
      }
      // the stream ended before done: reconnect where we were
      closeQuietly();
      if (++failuresWithoutProgress >= transport.maxAttempts) {
        done = true;
        throw new UncheckedIOException(new IOException("the event stream of " + path + " ended before its done event"));
      }
      transport.pause(Transport.backoff(failuresWithoutProgress));
      connect();
    }
  }

  @Override
  public Jobs.Event next() {
    if (!hasNext()) throw new NoSuchElementException();
    Jobs.Event e = next;
    next = null;
    if (done) closeQuietly();
    return e;
  }

  /** Reads one event block; null at the end of the stream. */
  private Jobs.Event read() throws IOException {
    String id = null;
    String event = null;
    StringBuilder data = null;
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty()) {
        if (data != null || event != null) {
          return new Jobs.Event(id, event == null ? "message" : event, data == null ? "" : data.toString());
        }
        continue;
      }
      if (line.startsWith(":")) continue;
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) value = value.substring(1);
      switch (field) {
        case "id" -> id = value;
        case "event" -> event = value;
        case "data" -> {
          if (data == null) data = new StringBuilder();
          else data.append('\n');
          data.append(value);
        }
        default -> { /* retry and unknown fields are ignored */ }
      }
    }
    return null;
  }

  private void closeQuietly() {
    try {
      if (body != null) body.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    done = true;
    closeQuietly();
  }
}
