package io.genrtl.core.billing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A provider webhook body whose signature verified, as the rejection record names it: its SHA-256 (hex) and its size.
 * The body itself is not kept.
 */
public record SignedBody(String sha256, long bytes) {
  public SignedBody {
    Objects.requireNonNull(sha256, "sha256");
    if (bytes < 0) throw new IllegalArgumentException("negative size");
  }

  public static SignedBody of(byte[] body) {
    try {
      return new SignedBody(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)), body.length);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
