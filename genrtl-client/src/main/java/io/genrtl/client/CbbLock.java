package io.genrtl.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code genrtl.lock}: the CBBs installed in a working tree, sorted by id then version, each with the package's
 * SHA-256 and size, the receipt it was bought with, where it lives, and the SHA-256 of every file it installed
 * (so {@link CbbInstaller#verify()} can tell edits apart). The text is a pure function of the entries: two-space
 * indentation, members in a fixed order, file names sorted, a final newline, no timestamps, so the same install twice
 * gives byte-identical files.
 */
public final class CbbLock {
  public static final String FILE_NAME = "genrtl.lock";
  static final int FORMAT = 1;

  private final List<Entry> packages;

  CbbLock(List<Entry> packages) {
    List<Entry> sorted = new ArrayList<>(packages);
    sorted.sort(ORDER);
    this.packages = List.copyOf(sorted);
  }

  /** One installed package. {@code files}: path inside the package directory to its SHA-256 (hex), sorted. */
  public record Entry(String id, String version, String sha256, long size, String receiptId, Map<String, String> files) {
    public Entry {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(version, "version");
      files = java.util.Collections.unmodifiableMap(new TreeMap<>(files));
    }

    /** The package directory relative to the tree root, with forward slashes. */
    public String path() {
      return CbbInstaller.VENDOR_DIR + "/" + id + "/" + version;
    }
  }

  /** By id, then by version (numeric dot-separated parts compared as numbers). */
  static final Comparator<Entry> ORDER = Comparator.comparing(Entry::id).thenComparing(Entry::version, CbbLock::compareVersions);

  static int compareVersions(String a, String b) {
    String[] x = a.split("[.+-]");
    String[] y = b.split("[.+-]");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c;
      if (x[i].matches("\\d{1,18}") && y[i].matches("\\d{1,18}")) c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
      else c = x[i].compareTo(y[i]);
      if (c != 0) return c;
    }
    int c = Integer.compare(x.length, y.length);
    return c != 0 ? c : a.compareTo(b);
  }

  public List<Entry> packages() {
    return packages;
  }

  public java.util.Optional<Entry> find(String id, String version) {
    return packages.stream().filter(e -> e.id().equals(id) && e.version().equals(version)).findFirst();
  }

  /** A copy with {@code e} added or replacing the entry of the same id and version. */
  CbbLock with(Entry e) {
    List<Entry> l = new ArrayList<>();
    for (Entry p : packages) if (!(p.id().equals(e.id()) && p.version().equals(e.version()))) l.add(p);
    l.add(e);
    return new CbbLock(l);
  }

  /** Reads {@code <tree>/genrtl.lock}; an empty lock when there is none. */
  public static CbbLock read(Path tree) {
    Path file = tree.resolve(FILE_NAME);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new CbbLock(List.of());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + FILE_NAME, e);
    }
    Map<String, Object> doc;
    try {
      doc = Json.parseObject(text);
    } catch (Json.Malformed e) {
      throw new IllegalStateException(FILE_NAME + " is not valid JSON: " + e.getMessage());
    }
    Long format = Json.lng(doc, "lock_version");
    if (format == null || format != FORMAT) throw new IllegalStateException(FILE_NAME + " has an unknown lock_version");
    List<Entry> entries = new ArrayList<>();
    for (Map<String, Object> p : Json.objects(doc, "packages")) {
      Map<String, String> files = new TreeMap<>();
      Map<String, Object> f = Json.obj(p, "files");
      if (f != null) for (String k : f.keySet()) files.put(k, Json.str(f, k));
      Entry e = new Entry(Json.requiredStr(p, "id"), Json.requiredStr(p, "version"), Json.str(p, "sha256"),
          Json.lng(p, "size", -1), Json.str(p, "receipt_id"), files);
      CbbInstaller.checkSegment("id", e.id());
      CbbInstaller.checkSegment("version", e.version());
      for (String path : files.keySet()) CbbInstaller.checkEntryName(path);
      entries.add(e);
    }
    return new CbbLock(entries);
  }

  /** The lock's text: stable formatting, see the class comment. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("{\n  \"lock_version\": ").append(FORMAT).append(",\n  \"packages\": [");
    for (int i = 0; i < packages.size(); i++) {
      Entry e = packages.get(i);
      sb.append(i == 0 ? "\n" : ",\n");
      sb.append("    {\n");
      sb.append("      \"id\": ").append(Json.write(e.id())).append(",\n");
      sb.append("      \"version\": ").append(Json.write(e.version())).append(",\n");
      sb.append("      \"sha256\": ").append(Json.write(e.sha256())).append(",\n");
      sb.append("      \"size\": ").append(e.size()).append(",\n");
      sb.append("      \"receipt_id\": ").append(Json.write(e.receiptId())).append(",\n");
      sb.append("      \"path\": ").append(Json.write(e.path())).append(",\n");
      sb.append("      \"files\": {");
      int j = 0;
      for (Map.Entry<String, String> f : e.files().entrySet()) {
        sb.append(j++ == 0 ? "\n" : ",\n");
        sb.append("        ").append(Json.write(f.getKey())).append(": ").append(Json.write(f.getValue()));
      }
      sb.append(j == 0 ? "}\n" : "\n      }\n");
      sb.append("    }");
    }
    sb.append(packages.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
    return sb.toString();
  }
}
