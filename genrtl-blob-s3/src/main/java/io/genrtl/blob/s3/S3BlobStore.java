package io.genrtl.blob.s3;

import io.genrtl.core.cbb.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

/**
 * Blobs as objects in an S3 bucket (AWS, or any S3-compatible store such as MinIO or s3proxy via an endpoint override
 * and path-style access), under an optional key prefix. Writes are idempotent like {@code FileSystemBlobStore}: an
 * object already there with the same size is left alone (keys are content hashes). With presigning on,
 * {@link #presignedGet} hands out SigV4 presigned GET URLs, so clients download straight from the bucket.
 *
 * <p>Errors are {@link IOException}s whose messages name the operation, the key, the HTTP status, the S3 error code and
 * the request ids; never credentials, never a presigned URL. A missing object is a {@link NoSuchFileException}. Close
 * the store to release the HTTP client.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {
  // the same rule as FileSystemBlobStore (copied, not shared: core internals are not API)
  private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,200}(/[a-z0-9][a-z0-9._-]{0,200}){0,3}");
  private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,200}/){0,8}");
  private static final InputStream EMPTY = InputStream.nullInputStream();

  private final URI endpoint;
  private final Region region;
  private final String bucket;
  private final String prefix;
  private final boolean pathStyle;
  private final boolean staticCredentials;
  private final S3Client s3;
  private final S3Presigner presigner; // null when presigning is off

  private S3BlobStore(Builder b) {
    this.endpoint = b.endpoint;
    this.region = Region.of(b.region);
    this.bucket = b.bucket;
    this.prefix = b.prefix;
    this.pathStyle = b.pathStyle;
    this.staticCredentials = b.accessKeyId != null;
    AwsCredentialsProvider credentials = staticCredentials
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(b.accessKeyId, b.secretAccessKey))
        : DefaultCredentialsProvider.builder().build();
    S3Configuration s3Config = S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build();
    SdkHttpClient http = UrlConnectionHttpClient.builder()
        .connectionTimeout(b.connectTimeout)
        .socketTimeout(b.socketTimeout)
        .build();
    S3ClientBuilder cb = S3Client.builder()
        .httpClient(http)
        .region(region)
        .credentialsProvider(credentials)
        .serviceConfiguration(s3Config);
    if (endpoint != null) {
      // S3-compatible stores vary in their support of the SDK's default trailing CRC checksums (aws-chunked bodies);
      // send and check them only where the operation requires them. Real AWS keeps the SDK defaults.
      cb.endpointOverride(endpoint)
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    this.s3 = cb.build();
    if (b.presign) {
      S3Presigner.Builder pb = S3Presigner.builder()
          .region(region)
          .credentialsProvider(credentials)
          .serviceConfiguration(s3Config);
      if (endpoint != null) pb.endpointOverride(endpoint);
      this.presigner = pb.build();
    } else {
      this.presigner = null;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The object key for a blob key; refuses bad keys before anything is sent. */
  private String objectKey(String key) {
    if (key == null || !KEY.matcher(key).matches() || key.contains("..")) throw new IllegalArgumentException("bad blob key");
    return prefix + key;
  }

  @Override
  public void put(String key, Path file) throws IOException {
    String k = objectKey(key);
    long size = Files.size(file);
    Optional<HeadObjectResponse> head = head("put", key, k);
    if (head.isPresent() && head.get().contentLength() != null && head.get().contentLength() == size) return;
    try {
      s3.putObject(PutObjectRequest.builder().bucket(bucket).key(k).contentLength(size).build(), RequestBody.fromFile(file));
    } catch (SdkException e) {
      throw failure("put", key, e);
    }
  }

  @Override
  public boolean exists(String key) throws IOException {
    return head("exists", key, objectKey(key)).isPresent();
  }

  @Override
  public long size(String key) throws IOException {
    HeadObjectResponse h = head("size", key, objectKey(key)).orElseThrow(() -> new NoSuchFileException(key));
    return h.contentLength();
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    String k = objectKey(key);
    if (offset < 0 || length < 0) throw new IllegalArgumentException("negative offset or length");
    if (length == 0) return EMPTY;
    long last = offset + length - 1;
    String range = length == Long.MAX_VALUE || last < offset ? "bytes=" + offset + "-" : "bytes=" + offset + "-" + last;
    try {
      return s3.getObject(GetObjectRequest.builder().bucket(bucket).key(k).range(range).build());
    } catch (SdkServiceException e) {
      if (e.statusCode() == 416) return EMPTY; // offset at or past the end: no bytes, as on the file system
      if (e.statusCode() == 404) throw new NoSuchFileException(key);
      throw failure("open", key, e);
    } catch (SdkException e) {
      throw failure("open", key, e);
    }
  }

  /** A SigV4 presigned GET URL valid for {@code ttl} (at most 7 days), when presigning is on. Never logged here. */
  @Override
  public Optional<URI> presignedGet(String key, Duration ttl) {
    String k = objectKey(key);
    if (presigner == null) return Optional.empty();
    if (ttl == null || ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
    try {
      var req = GetObjectPresignRequest.builder()
          .signatureDuration(ttl)
          .getObjectRequest(GetObjectRequest.builder().bucket(bucket).key(k).build())
          .build();
      return Optional.of(URI.create(presigner.presignGetObject(req).url().toString()));
    } catch (SdkException e) {
      // no URL, no credentials in the message
      throw new IllegalStateException("could not presign a GET for blob '" + key + "': " + e.getClass().getSimpleName());
    }
  }

  private Optional<HeadObjectResponse> head(String op, String key, String objectKey) throws IOException {
    try {
      return Optional.of(s3.headObject(b -> b.bucket(bucket).key(objectKey)));
    } catch (SdkServiceException e) {
      if (e.statusCode() == 404) return Optional.empty();
      throw failure(op, key, e);
    } catch (SdkException e) {
      throw failure(op, key, e);
    }
  }

  /**
   * An IOException that says what failed without the SDK's own message: service errors carry the status, the S3
   * error code and the request ids only (so nothing the server echoes ends up in logs), and they are not chained.
   * Client-side errors (connection refused, timeouts) keep their cause, which the SDK builds without credentials.
   */
  private IOException failure(String op, String key, SdkException e) {
    StringBuilder m = new StringBuilder("S3 ").append(op).append(" of blob '").append(key).append("' in bucket '")
        .append(bucket).append("' failed: ");
    if (e instanceof SdkServiceException se) {
      m.append("HTTP ").append(se.statusCode());
      if (se instanceof S3Exception s3e && s3e.awsErrorDetails() != null && s3e.awsErrorDetails().errorCode() != null) {
        m.append(' ').append(safe(s3e.awsErrorDetails().errorCode()));
      }
      if (se.statusCode() == 401 || se.statusCode() == 403) m.append(" (denied: check the credentials, region and bucket policy)");
      if (se.requestId() != null) m.append(", request id ").append(safe(se.requestId()));
      if (se instanceof S3Exception s3e && s3e.extendedRequestId() != null) {
        m.append(", extended request id ").append(safe(s3e.extendedRequestId()));
      }
      return new IOException(m.toString());
    }
    m.append(e instanceof SdkClientException ? "client error" : e.getClass().getSimpleName());
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    if (root != e) m.append(" (").append(root.getClass().getSimpleName()).append(')');
    return new IOException(m.toString(), e);
  }

  /** Error codes and request ids are short tokens; anything else is cut, so a hostile server cannot inject text. */
  private static String safe(String s) {
    String t = s.length() > 120 ? s.substring(0, 120) : s;
    return t.replaceAll("[^A-Za-z0-9._/+=-]", "?");
  }

  @Override
  public void close() {
    s3.close();
    if (presigner != null) presigner.close();
  }

  @Override
  public String toString() {
    return "S3BlobStore[endpoint=" + (endpoint == null ? "aws" : endpoint) + ", region=" + region + ", bucket=" + bucket
        + ", prefix=" + prefix + ", pathStyle=" + pathStyle + ", presign=" + (presigner != null)
        + ", credentials=" + (staticCredentials ? "static" : "default chain") + "]";
  }

  /** Settings for an {@link S3BlobStore}; {@code region} and {@code bucket} are required. */
  public static final class Builder {
    private URI endpoint;
    private String region;
    private String bucket;
    private String prefix = "";
    private String accessKeyId;
    private String secretAccessKey;
    private boolean pathStyle;
    private boolean presign = true;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration socketTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /** An S3-compatible endpoint such as {@code http://127.0.0.1:9000}; absent: AWS itself, by region. */
    public Builder endpoint(URI endpoint) {
      if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null
          || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https")))) {
        throw new IllegalArgumentException("S3 endpoint must be an http(s) URL with a host");
      }
      if (endpoint != null && endpoint.getUserInfo() != null) {
        throw new IllegalArgumentException("S3 endpoint must not carry credentials; use credentials(…)");
      }
      this.endpoint = endpoint;
      return this;
    }

    /** The signing region, e.g. {@code eu-central-1} ({@code us-east-1} for most S3-compatible servers). */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    public Builder bucket(String bucket) {
      this.bucket = bucket;
      return this;
    }

    /** A key prefix such as {@code genrtl/} (a missing trailing slash is added); empty: the bucket's root. */
    public Builder prefix(String prefix) {
      String p = prefix == null ? "" : prefix;
      if (!p.isEmpty() && !p.endsWith("/")) p = p + "/";
      if (!PREFIX.matcher(p).matches() || p.contains("..")) throw new IllegalArgumentException("bad S3 key prefix");
      this.prefix = p;
      return this;
    }

    /** Static credentials; without them the SDK's default chain is used (environment, profile, instance role). */
    public Builder credentials(String accessKeyId, String secretAccessKey) {
      if (accessKeyId == null || accessKeyId.isBlank() || secretAccessKey == null || secretAccessKey.isEmpty()) {
        throw new IllegalArgumentException("S3 access key id and secret access key are both required");
      }
      this.accessKeyId = accessKeyId;
      this.secretAccessKey = secretAccessKey;
      return this;
    }

    /** Path-style URLs ({@code endpoint/bucket/key}); needed for MinIO, s3proxy and most endpoints by IP. */
    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /** Whether {@link S3BlobStore#presignedGet} hands out URLs (default on); off: downloads go through the host. */
    public Builder presign(boolean presign) {
      this.presign = presign;
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout);
      return this;
    }

    public Builder socketTimeout(Duration socketTimeout) {
      this.socketTimeout = Objects.requireNonNull(socketTimeout);
      return this;
    }

    public S3BlobStore build() {
      if (region == null || region.isBlank()) throw new IllegalArgumentException("S3 region is required");
      if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
        throw new IllegalArgumentException("S3 bucket name is required (3-63 lower-case letters, digits, '.', '-')");
      }
      return new S3BlobStore(this);
    }

    @Override
    public String toString() {
      return "S3BlobStore.Builder[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix="
          + prefix + ", pathStyle=" + pathStyle + ", presign=" + presign + "]";
    }
  }
}
