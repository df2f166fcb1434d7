package io.genrtl.blob.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link S3BlobStore} against s3proxy, a real S3-compatible server (filesystem backend in a temporary directory,
 * AWS V2/V4 signatures checked), on loopback and a free port. Mirrors {@code FileSystemBlobStoreTest}, plus what only
 * S3 has: presigned URLs, their signature and their expiry, and credentials kept out of messages.
 */
class S3BlobStoreTest {
  private static final String BUCKET = "genrtl-test";
  private static final String ACCESS_KEY = "test-access-key";
  private static final String SECRET = "test-secret-Zq81xK0pL2mN9vB7";
  private static final String KEY = "cbb/abc.tar.gz";

  @TempDir static Path tmp;
  private static S3Proxy proxy;
  private static URI endpoint;
  private static S3Client admin;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startS3() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("s3"));
    proxy = S3Proxy.builder()
        .blobStore(new FilesystemNio2BlobStore(root.toString()))
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET)
        .build();
    proxy.start();
    for (int i = 0; i < 100 && !"STARTED".equals(proxy.getState()); i++) Thread.sleep(20);
    assertThat(proxy.getState()).isEqualTo("STARTED");
    endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    admin = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)))
        .forcePathStyle(true)
        .build();
    admin.createBucket(b -> b.bucket(BUCKET));
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (admin != null) admin.close();
    if (proxy != null) proxy.stop();
  }

  private static S3BlobStore.Builder store(String prefix) {
    return S3BlobStore.builder()
        .endpoint(endpoint)
        .region("us-east-1")
        .bucket(BUCKET)
        .prefix(prefix)
        .credentials(ACCESS_KEY, SECRET)
        .pathStyle(true);
  }

  private static byte[] bytes() {
    byte[] b = new byte[100_000];
    for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 31);
    return b;
  }

  private static List<String> keys(String prefix) {
    return admin.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
  }

  @Test
  void behavesLikeTheFileSystemStore() throws Exception {
    Path file = Files.write(tmp.resolve("pkg.tar.gz"), bytes());
    try (S3BlobStore s = store("contract").build()) {
      assertThat(s.exists(KEY)).isFalse();
      s.put(KEY, file);
      s.put(KEY, file); // idempotent
      assertThat(s.exists(KEY)).isTrue();
      assertThat(s.size(KEY)).isEqualTo(100_000);
      try (InputStream in = s.open(KEY, 0, Long.MAX_VALUE)) {
        assertThat(in.readAllBytes()).isEqualTo(bytes());
      }
      try (InputStream in = s.open(KEY, 99_990, 5)) {
        byte[] part = in.readAllBytes();
        assertThat(part).hasSize(5);
        assertThat(part).isEqualTo(Arrays.copyOfRange(bytes(), 99_990, 99_995));
      }
      try (InputStream in = s.open(KEY, 99_990, Long.MAX_VALUE)) {
        assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(bytes(), 99_990, 100_000));
      }
      try (InputStream in = s.open(KEY, 99_995, 1_000)) { // past the end: what is there
        assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(bytes(), 99_995, 100_000));
      }
      try (InputStream in = s.open(KEY, 100_000, 10)) { // at the end: nothing, as on the file system
        assertThat(in.readAllBytes()).isEmpty();
      }
      // under the prefix, one object, no temporaries
      assertThat(keys("contract/")).containsExactly("contract/" + KEY);

      // the same size already there: nothing is uploaded (keys are content hashes)
      byte[] other = bytes();
      other[0]++;
      s.put(KEY, Files.write(tmp.resolve("same-size.tar.gz"), other));
      try (InputStream in = s.open(KEY, 0, 1)) {
        assertThat(in.readAllBytes()).containsExactly(bytes()[0]);
      }

      assertThat(s.exists("cbb/missing.tar.gz")).isFalse();
      assertThatThrownBy(() -> s.size("cbb/missing.tar.gz")).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> s.open("cbb/missing.tar.gz", 0, 10)).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> s.put("cbb/x.tar.gz", tmp.resolve("no-such-file"))).isInstanceOf(NoSuchFileException.class);
    }
  }

  @Test
  void refusesBadKeysBeforeAnyRequest() throws Exception {
    Path file = Files.write(tmp.resolve("small.bin"), new byte[] {1, 2, 3});
    // nothing listens on port 1: any request would fail with an IOException, not IllegalArgumentException
    try (S3BlobStore s = S3BlobStore.builder().endpoint(URI.create("http://127.0.0.1:1")).region("us-east-1")
        .bucket(BUCKET).credentials(ACCESS_KEY, SECRET).pathStyle(true).connectTimeout(Duration.ofMillis(500)).build()) {
      for (String bad : new String[] {"../x", "/etc/passwd", "cbb/../../x", "CBB/x", "", "a/b/c/d/e", "cbb/a b"}) {
        assertThatThrownBy(() -> s.exists(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.size(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.open(bad, 0, 1)).as(bad).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.put(bad, file)).as(bad).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.presignedGet(bad, Duration.ofMinutes(1))).as(bad)
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThatThrownBy(() -> s.exists(null)).isInstanceOf(IllegalArgumentException.class);
      // a good key does reach the (absent) server, and that is an IOException
      assertThatThrownBy(() -> s.exists(KEY)).isInstanceOf(IOException.class).hasMessageContaining(KEY);
    }
  }

  @Test
  void presignedUrlsDownloadWithoutCredentialsAndCheckTheirSignature() throws Exception {
    try (S3BlobStore s = store("presign").build()) {
      s.put(KEY, Files.write(tmp.resolve("presign.tar.gz"), bytes()));
      URI url = s.presignedGet(KEY, Duration.ofMinutes(5)).orElseThrow();
      assertThat(url.getQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=300");
      assertThat(url.getPath()).isEqualTo("/" + BUCKET + "/presign/" + KEY);

      HttpResponse<byte[]> ok = get(url);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo(bytes());

      assertThat(get(tamper(url)).statusCode()).isEqualTo(403);
      // another key under the same signature
      assertThat(get(URI.create(url.toString().replace("/abc.tar.gz?", "/abd.tar.gz?"))).statusCode()).isEqualTo(403);
    }
  }

  @Test
  void expiredPresignedUrlsAreRefused() throws Exception {
    try (S3BlobStore s = store("expiry").build()) {
      s.put(KEY, Files.write(tmp.resolve("expiry.tar.gz"), new byte[] {42}));
      URI url = s.presignedGet(KEY, Duration.ofSeconds(1)).orElseThrow();
      Thread.sleep(2_100); // SigV4 counts whole seconds from X-Amz-Date; this is the one wait in the suite
      assertThat(get(url).statusCode()).isEqualTo(403);
    }
  }

  @Test
  void presigningCanBeTurnedOff() throws Exception {
    try (S3BlobStore s = store("").presign(false).build()) {
      assertThat(s.presignedGet(KEY, Duration.ofMinutes(5))).isEmpty();
    }
  }

  @Test
  void aWrongSecretFailsWithoutShowingIt() throws Exception {
    String wrong = "wrong-secret-Hh55Tt77Uu99";
    Path file = Files.write(tmp.resolve("wrong.bin"), new byte[] {1});
    try (S3BlobStore s = store("wrong").credentials(ACCESS_KEY, wrong).build()) {
      assertThatThrownBy(() -> s.put(KEY, file))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("HTTP 403")
          .satisfies(e -> {
            String all = stackTrace(e);
            assertThat(all).doesNotContain(wrong).doesNotContain(SECRET);
          });
      // the wrong secret also signs bad URLs: the server refuses them
      assertThat(get(s.presignedGet(KEY, Duration.ofMinutes(1)).orElseThrow()).statusCode()).isEqualTo(403);
    }
    assertThat(keys("wrong/")).isEmpty();
  }

  @Test
  void toStringNeverShowsTheSecret() {
    try (S3BlobStore s = store("genrtl").build()) {
      assertThat(s.toString()).doesNotContain(SECRET).contains(BUCKET).contains("genrtl/");
    }
    assertThat(store("genrtl").toString()).doesNotContain(SECRET);
  }

  @Test
  void checksItsSettings() {
    assertThatThrownBy(() -> S3BlobStore.builder().region("us-east-1").build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> S3BlobStore.builder().bucket(BUCKET).build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store("../x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store("/abs")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> S3BlobStore.builder().endpoint(URI.create("ftp://h/"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> S3BlobStore.builder().endpoint(URI.create("http://k:s@h/")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("k:s");
    assertThatThrownBy(() -> S3BlobStore.builder().credentials("id", "")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void objectsWrittenByOthersAreReadable() throws Exception {
    // a blob put by another tool (or another host) under the prefix is found by key
    admin.putObject(PutObjectRequest.builder().bucket(BUCKET).key("other/cbb/x.zip").build(),
        software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[] {7, 8, 9}));
    try (S3BlobStore s = store("other/").build()) {
      assertThat(s.size("cbb/x.zip")).isEqualTo(3);
      try (InputStream in = s.open("cbb/x.zip", 1, 1)) {
        assertThat(in.readAllBytes()).containsExactly(8);
      }
    }
  }

  private static HttpResponse<byte[]> get(URI url) throws Exception {
    return http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The same URL with one hex digit of the signature changed. */
  private static URI tamper(URI url) {
    String u = url.toString();
    int i = u.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
    char c = u.charAt(i);
    return URI.create(u.substring(0, i) + (c == '0' ? '1' : '0') + u.substring(i + 1));
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
