package io.genrtl.core.cbb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemBlobStoreTest {
  @TempDir Path tmp;

  @Test
  void worksOnJimfs() throws Exception {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      check(fs.getPath("/blobs"), Files.write(fs.getPath("/pkg.tar.gz"), bytes()));
    }
  }

  @Test
  void worksOnTheDisk() throws Exception {
    check(tmp.resolve("blobs"), Files.write(tmp.resolve("pkg.tar.gz"), bytes()));
  }

  private static byte[] bytes() {
    byte[] b = new byte[100_000];
    for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 31);
    return b;
  }

  private static void check(Path root, Path file) throws Exception {
    FileSystemBlobStore s = new FileSystemBlobStore(root);
    s.put("cbb/abc.tar.gz", file);
    s.put("cbb/abc.tar.gz", file); // idempotent
    assertThat(s.exists("cbb/abc.tar.gz")).isTrue();
    assertThat(s.size("cbb/abc.tar.gz")).isEqualTo(100_000);
    try (InputStream in = s.open("cbb/abc.tar.gz", 0, Long.MAX_VALUE)) {
      assertThat(in.readAllBytes()).isEqualTo(bytes());
    }
    try (InputStream in = s.open("cbb/abc.tar.gz", 99_990, 5)) {
      byte[] part = in.readAllBytes();
      assertThat(part).hasSize(5);
      assertThat(part[0]).isEqualTo(bytes()[99_990]);
    }
    try (var list = Files.list(root.resolve("cbb"))) {
      assertThat(list.map(p -> p.getFileName().toString()).toList()).containsExactly("abc.tar.gz");
    }
    for (String bad : new String[] {"../x", "/etc/passwd", "cbb/../../x", "CBB/x", ""}) {
      assertThatThrownBy(() -> s.exists(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
