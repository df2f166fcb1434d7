package io.genrtl.payments.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 keys and constant-time comparison for webhook verifiers. Not API. */
public final class Hmac {
  private Hmac() {}

  public static final String ALGORITHM = "HmacSHA256";

  /** Keys for a comma-separated list of secrets (blank entries dropped); at least one is required. */
  public static List<SecretKeySpec> keys(List<String> secrets) {
    List<SecretKeySpec> out = new ArrayList<>();
    if (secrets != null) {
      for (String s : secrets) {
        if (s == null) continue;
        String t = s.strip();
        if (!t.isEmpty()) out.add(new SecretKeySpec(t.getBytes(StandardCharsets.UTF_8), ALGORITHM));
      }
    }
    if (out.isEmpty()) throw new IllegalArgumentException("at least one webhook secret is required");
    return List.copyOf(out);
  }

  public static List<String> splitSecrets(String commaSeparated) {
    List<String> out = new ArrayList<>();
    if (commaSeparated != null) for (String s : commaSeparated.split(",")) if (!s.isBlank()) out.add(s.strip());
    return out;
  }

  public static byte[] sha256(SecretKeySpec key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      for (byte[] p : parts) mac.update(p);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Hex-decodes a presented signature, or null when it is not hex. */
  public static byte[] parseHex(String hex) {
    if (hex == null || hex.isEmpty() || (hex.length() & 1) != 0) return null;
    try {
      return HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Constant-time for equal lengths (MessageDigest.isEqual). */
  public static boolean equal(byte[] expected, byte[] presented) {
    return presented != null && MessageDigest.isEqual(expected, presented);
  }
}
