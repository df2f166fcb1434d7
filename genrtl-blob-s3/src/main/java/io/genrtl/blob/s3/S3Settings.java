package io.genrtl.blob.s3;

import java.util.List;
import java.util.Map;

/**
 * Where packages go with {@code GENRTL_BLOB_STORE=s3} ({@code GENRTL_S3_ENDPOINT}, {@code _REGION}, {@code _BUCKET},
 * {@code _PREFIX}, {@code _ACCESS_KEY_ID}, {@code _SECRET_ACCESS_KEY}, {@code _PATH_STYLE}); the secret is never printed.
 */
public record S3Settings(String endpoint, String region, String bucket, String prefix, String accessKeyId,
    String secretAccessKey, boolean pathStyle) {
  static final List<String> KEYS = List.of("GENRTL_S3_ENDPOINT", "GENRTL_S3_REGION", "GENRTL_S3_BUCKET",
      "GENRTL_S3_PREFIX", "GENRTL_S3_ACCESS_KEY_ID", "GENRTL_S3_SECRET_ACCESS_KEY", "GENRTL_S3_PATH_STYLE");

  /** Whether {@code key} (a {@code GENRTL_*} name) is one of these settings. */
  public static boolean claims(String key) {
    return KEYS.contains(key);
  }

  /** Reads the settings from {@code values} (names as above); each problem found is added to {@code problems}. */
  public static S3Settings parse(Map<String, String> values, List<String> problems) {
    String region = values.get("GENRTL_S3_REGION");
    String bucket = values.get("GENRTL_S3_BUCKET");
    if (region == null) problems.add("GENRTL_S3_REGION: required with GENRTL_BLOB_STORE=s3");
    if (bucket == null) problems.add("GENRTL_S3_BUCKET: required with GENRTL_BLOB_STORE=s3");
    else if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) problems.add("GENRTL_S3_BUCKET: not a valid bucket name");
    String endpoint = values.get("GENRTL_S3_ENDPOINT");
    if (endpoint != null && !endpoint.matches("https?://[^@/]+(/.*)?")) {
      problems.add("GENRTL_S3_ENDPOINT: must be an http(s) URL without credentials");
    }
    String id = values.get("GENRTL_S3_ACCESS_KEY_ID");
    String secret = values.get("GENRTL_S3_SECRET_ACCESS_KEY");
    if ((id == null) != (secret == null)) {
      problems.add("GENRTL_S3_ACCESS_KEY_ID and GENRTL_S3_SECRET_ACCESS_KEY: set both or neither");
    }
    String pathStyle = values.getOrDefault("GENRTL_S3_PATH_STYLE", "false");
    if (!pathStyle.equals("true") && !pathStyle.equals("false")) problems.add("GENRTL_S3_PATH_STYLE: true or false");
    return new S3Settings(endpoint, region, bucket, values.getOrDefault("GENRTL_S3_PREFIX", ""), id, secret,
        pathStyle.equals("true"));
  }

  @Override
  public String toString() {
    return "S3[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
        + ", pathStyle=" + pathStyle + ", credentials=" + (accessKeyId == null ? "default chain" : "static") + "]";
  }
}
