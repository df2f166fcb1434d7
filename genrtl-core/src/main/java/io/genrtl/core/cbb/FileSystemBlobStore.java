package io.genrtl.core.cbb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * Blobs as files under a root directory (any {@link java.nio.file.FileSystem}, Jimfs included). Files are written to a
 * temporary name and moved into place atomically, so a reader never sees a partial blob.
 */
public final class FileSystemBlobStore implements BlobStore {
  private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,200}(/[a-z0-9][a-z0-9._-]{0,200}){0,3}");
  private final Path root;

  public FileSystemBlobStore(Path root) {
    this.root = root;
  }

  private Path path(String key) {
    if (!KEY.matcher(key).matches() || key.contains("..")) throw new IllegalArgumentException("bad blob key");
    return root.resolve(key);
  }

  @Override
  public void put(String key, Path file) throws IOException {
    Path target = path(key);
    if (Files.exists(target)) return;
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
    try {
      Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        // another writer put the same key first; keys are content hashes, so the bytes are the same
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public java.util.Optional<Path> localFile(String key) {
    Path p = path(key);
    return java.nio.file.Files.isRegularFile(p) ? java.util.Optional.of(p) : java.util.Optional.empty();
  }

  @Override
  public boolean exists(String key) {
    return Files.exists(path(key));
  }

  @Override
  public long size(String key) throws IOException {
    return Files.size(path(key));
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    SeekableByteChannel ch = Files.newByteChannel(path(key), StandardOpenOption.READ);
    ch.position(offset);
    InputStream in = Channels.newInputStream(ch);
    return new InputStream() {
      long left = length;

      @Override
      public int read() throws IOException {
        if (left <= 0) return -1;
        int b = in.read();
        if (b >= 0) left--;
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        if (left <= 0) return -1;
        int n = in.read(buf, off, (int) Math.min(len, left));
        if (n > 0) left -= n;
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }
}
