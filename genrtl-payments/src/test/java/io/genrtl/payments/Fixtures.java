package io.genrtl.payments;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Test fixtures and signing with the providers' documented algorithms. */
final class Fixtures {
  private Fixtures() {}

  static byte[] read(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalArgumentException("no fixture " + name);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String hmacHex(String secret, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      for (byte[] p : parts) mac.update(p);
      return HexFormat.of().formatHex(mac.doFinal());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stripe: v1 = hex HMAC-SHA256 of "t.body". */
  static String stripeV1(String secret, long t, byte[] body) {
    return hmacHex(secret, (t + ".").getBytes(StandardCharsets.US_ASCII), body);
  }

  static String stripeHeader(long t, byte[] body, String... secrets) {
    StringBuilder b = new StringBuilder("t=").append(t);
    for (String s : secrets) b.append(",v1=").append(stripeV1(s, t, body));
    return b.toString();
  }
}
