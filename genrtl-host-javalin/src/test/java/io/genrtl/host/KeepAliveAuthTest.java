package io.genrtl.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.host.http.GenRtlApp;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client that changes its Authorization header on one kept-alive connection must be judged by the header it sent.
 * Jetty's per-connection header field cache matches values case-insensitively by default, so a key that differed from
 * the previous request's only in the case of one letter was read as that previous (wrong) key. The host turns the
 * cache off.
 */
class KeepAliveAuthTest {
  @Test
  void eachRequestOnAKeptAliveConnectionIsAuthenticatedByItsOwnHeader() throws Exception {
    GenRtl genrtl = GenRtl.builder().stores(InMemoryStores.create()).build();
    String user = genrtl.accounts().createUser(NewUser.of("ka@x.test")).user().userId();
    Javalin app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://localhost"));
    app.start("127.0.0.1", 0);
    try (Socket s = new Socket("127.0.0.1", app.port())) {
      OutputStream out = s.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      List<String> statuses = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String key;
        do {
          key = genrtl.apiKeys().issue(user, "k" + i, null).apiKey();
        } while (!Character.isLetter(key.charAt(key.length() - 1)));
        // the wrong key differs only in the case of its last letter: a case-insensitive header cache confuses them
        char last = key.charAt(key.length() - 1);
        char flipped = Character.isUpperCase(last) ? Character.toLowerCase(last) : Character.toUpperCase(last);
        String wrong = key.substring(0, key.length() - 1) + flipped;
        for (String k : new String[] {wrong, key}) {
          out.write(("GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + k + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          String status = in.readLine();
          int length = 0;
          String line;
          while (!(line = in.readLine()).isEmpty()) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
          }
          char[] body = new char[length];
          int read = 0;
          while (read < length) read += in.read(body, read, length - read);
          statuses.add(status.split(" ")[1]);
        }
      }
      for (int i = 0; i < statuses.size(); i += 2) {
        assertThat(statuses.get(i)).as("wrong key #" + i / 2).isEqualTo("401");
        assertThat(statuses.get(i + 1)).as("right key #" + i / 2 + " after a wrong one on the same connection").isEqualTo("200");
      }
    } finally {
      app.stop();
    }
  }
}
