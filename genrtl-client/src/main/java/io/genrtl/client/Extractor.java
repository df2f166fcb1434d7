package io.genrtl.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a package archive (zip or tar.gz, told apart by their magic bytes) into an empty directory, refusing
 * anything that could write outside it or exhaust the disk: absolute names, {@code ..}, backslashes, duplicate
 * entries, symbolic and hard links, devices and FIFOs, more entries or more unpacked bytes than the limits (counted
 * while inflating, never trusted from headers). Files are made read-only as they are written. Returns the SHA-256 of
 * every file by its path inside the package.
 */
final class Extractor {
  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;

  private final CbbInstaller.Limits limits;
  private final Path root;
  private final Map<String, String> hashes = new TreeMap<>();
  private final Set<String> seen = new HashSet<>();
  private int entries;
  private long bytes;

  private Extractor(CbbInstaller.Limits limits, Path root) {
    this.limits = limits;
    this.root = root;
  }

  static Map<String, String> extract(Path archive, Path root, CbbInstaller.Limits limits) throws IOException {
    Extractor x = new Extractor(limits, root);
    byte[] magic;
    try (InputStream in = Files.newInputStream(archive)) {
      magic = in.readNBytes(4);
    }
    if (magic.length >= 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
      x.zip(archive);
    } else if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      x.tarGz(archive);
    } else {
      throw new CbbInstaller.InstallException("unknown_format", null, "the package is neither a zip nor a tar.gz archive");
    }
    return x.hashes;
  }

  private void zip(Path archive) throws IOException {
    try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
      Enumeration<ZipArchiveEntry> all = zip.getEntriesInPhysicalOrder();
      while (all.hasMoreElements()) {
        ZipArchiveEntry e = all.nextElement();
        count(e.getName());
        int type = e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? e.getUnixMode() & S_IFMT : 0;
        if (e.isUnixSymlink()) refuse("link", e.getName(), "symbolic links are not allowed");
        if (type != 0 && type != S_IFREG && type != S_IFDIR) refuse("special_file", e.getName(), "only files and directories are allowed");
        if (e.isDirectory() || type == S_IFDIR) {
          directory(e.getName());
        } else {
          boolean exec = type != 0 && (e.getUnixMode() & 0111) != 0;
          try (InputStream in = zip.getInputStream(e)) {
            file(e.getName(), in, exec);
          }
        }
      }
    } catch (IOException e) {
      throw new CbbInstaller.InstallException("corrupt_archive", null, "the zip archive cannot be read: " + e.getMessage());
    }
  }

  private void tarGz(Path archive) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
        GzipCompressorInputStream gz = new GzipCompressorInputStream(raw);
        TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        count(e.getName());
        if (e.isSymbolicLink() || e.isLink()) refuse("link", e.getName(), "symbolic and hard links are not allowed");
        if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
          refuse("special_file", e.getName(), "devices and FIFOs are not allowed");
        }
        byte flag = e.getLinkFlag();
        if (e.isDirectory()) {
          directory(e.getName());
        } else if (flag == TarArchiveEntry.LF_NORMAL || flag == TarArchiveEntry.LF_OLDNORM) {
          file(e.getName(), tar, (e.getMode() & 0111) != 0);
        } else {
          refuse("special_file", e.getName(), "tar entry type '" + (char) flag + "' is not allowed");
        }
      }
    } catch (CbbInstaller.InstallException e) {
      throw e;
    } catch (IOException | IllegalArgumentException e) {
      throw new CbbInstaller.InstallException("corrupt_archive", null, "the tar.gz archive cannot be read: " + e.getMessage());
    }
  }

  private static void refuse(String reason, String entry, String message) {
    throw new CbbInstaller.InstallException(reason, entry, message);
  }

  private void count(String name) {
    if (++entries > limits.maxEntries()) {
      refuse("too_many_entries", name, "the package has more than " + limits.maxEntries() + " entries");
    }
  }

  /** The normalised relative name ({@code ./} and a trailing slash removed), after the safety checks. */
  private String name(String raw) {
    String n = CbbInstaller.checkEntryName(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
    if (!seen.add(n)) refuse("duplicate_entry", raw, "the entry appears twice");
    return n;
  }

  private Path target(String name) {
    Path p = root.resolve(name).normalize();
    if (!p.startsWith(root) || p.equals(root)) refuse("unsafe_path", name, "the entry resolves outside the package directory");
    // every parent was created by us, and links are refused, so no parent can be a link; check anyway
    for (Path q = p.getParent(); q != null && !q.equals(root); q = q.getParent()) {
      if (Files.isSymbolicLink(q)) refuse("unsafe_path", name, "a parent of the entry is a link");
    }
    return p;
  }

  private void directory(String raw) throws IOException {
    String n = name(raw);
    if (n.isEmpty()) return;
    Path p = target(n);
    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      refuse("duplicate_entry", raw, "a directory entry clashes with a file");
    }
    Files.createDirectories(p);
  }

  private void file(String raw, InputStream in, boolean exec) throws IOException {
    String n = name(raw);
    if (n.isEmpty()) refuse("unsafe_path", raw, "a file entry without a name");
    Path p = target(n);
    Files.createDirectories(p.getParent());
    MessageDigest sha = GenRtlClient.sha256();
    byte[] buf = new byte[64 * 1024];
    long mine = 0;
    try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      int r;
      while ((r = in.read(buf)) > 0) {
        mine += r;
        bytes += r;
        if (mine > limits.maxEntryBytes()) refuse("too_large", raw, "an entry unpacks to more than " + limits.maxEntryBytes() + " bytes");
        if (bytes > limits.maxBytes()) refuse("too_large", raw, "the package unpacks to more than " + limits.maxBytes() + " bytes");
        sha.update(buf, 0, r);
        out.write(buf, 0, r);
      }
    } catch (java.nio.file.FileAlreadyExistsException e) {
      refuse("duplicate_entry", raw, "the entry appears twice");
    }
    readOnly(p, exec);
    hashes.put(n, HexFormat.of().formatHex(sha.digest()));
  }

  static void readOnly(Path p, boolean exec) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(exec ? "r-xr-xr-x" : "r--r--r--"));
    } catch (UnsupportedOperationException e) {
      if (!p.toFile().setWritable(false, false)) throw new IOException("cannot make " + p.getFileName() + " read-only");
    }
  }
}
