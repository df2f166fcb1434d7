package io.genrtl.core.cbb;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where package bytes live, by key. Writes are idempotent: putting the same content under an existing key is a
 * no-op. Adapters: {@link FileSystemBlobStore} (default, also on Jimfs); S3-compatible stores may also hand out
 * presigned URLs.
 */
public interface BlobStore {
  void put(String key, Path file) throws IOException;

  boolean exists(String key) throws IOException;

  long size(String key) throws IOException;

  /** The bytes from {@code offset}, at most {@code length} of them. */
  InputStream open(String key, long offset, long length) throws IOException;

  /**
   * The blob as a local file, when the store keeps it in one: a server may then send it without copying it through
   * the heap (a memory-mapped region or {@code FileChannel.transferTo}). Empty by default (and for remote stores).
   */
  default Optional<Path> localFile(String key) throws IOException {
    return Optional.empty();
  }

  /** A URL a client can GET directly for {@code ttl}, if the store can issue one; empty otherwise. */
  default Optional<URI> presignedGet(String key, Duration ttl) {
    return Optional.empty();
  }
}
