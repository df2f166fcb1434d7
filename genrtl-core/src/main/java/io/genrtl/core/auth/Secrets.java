package io.genrtl.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Random secrets, SHA-256 hex and PKCE S256 challenges. */
public final class Secrets {
  private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** {@code length} base62 characters (about 5.95 bits each). */
  public static String random(int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) out[i] = BASE62[RANDOM.nextInt(BASE62.length)];
    return new String(out);
  }

  /** {@code length} characters drawn from {@code alphabet}. */
  static String random(int length, String alphabet) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) out[i] = alphabet.charAt(RANDOM.nextInt(alphabet.length()));
    return new String(out);
  }

  /** Lower-case hex SHA-256 of the parts joined by NUL bytes. */
  public static String sha256Hex(String... parts) {
    MessageDigest d = sha256();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) d.update((byte) 0);
      d.update(parts[i].getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** The PKCE S256 challenge of a verifier: base64url(SHA-256(ASCII(verifier))) without padding (RFC 7636). */
  public static String s256(String verifier) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(sha256().digest(verifier.getBytes(StandardCharsets.US_ASCII)));
  }

  /** Constant-time comparison of two strings (by UTF-8 bytes); null never matches. */
  public static boolean equal(String a, String b) {
    if (a == null || b == null) return false;
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether {@code s} is a PKCE code verifier: 43-128 characters of {@code [A-Za-z0-9-._~]} (RFC 7636). */
  public static boolean isCodeVerifier(String s) {
    return s != null && s.matches("[A-Za-z0-9\\-._~]{43,128}");
  }

  /** Whether {@code s} looks like an S256 challenge: 43 base64url characters. */
  public static boolean isS256Challenge(String s) {
    return s != null && s.matches("[A-Za-z0-9_-]{43}");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
