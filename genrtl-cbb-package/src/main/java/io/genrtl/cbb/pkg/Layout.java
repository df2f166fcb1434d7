package io.genrtl.cbb.pkg;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The entries of one package as an extractor would lay them out: every path once (a second entry for the same
 * path, or a path used both as a file and as a directory, is a {@code duplicate_entry}), no two paths that only
 * differ in case or Unicode normalisation (they collide on macOS and Windows: {@code case_collision}), only the
 * allowed top-level names, and the required ones present.
 */
final class Layout {
  static final Set<String> TOP_DIRS = Set.of("rtl", "tb", "scripts", "docs");
  static final Set<String> TOP_FILES = Set.of("manifest.json", "LICENSE", "README.md");
  static final List<String> REQUIRED_FILES = List.of("manifest.json", "LICENSE");
  static final List<String> REQUIRED_DIRS = List.of("rtl", "tb", "scripts");

  private static final class Node {
    final String path;
    final boolean dir;
    boolean explicit;

    Node(String path, boolean dir, boolean explicit) {
      this.path = path;
      this.dir = dir;
      this.explicit = explicit;
    }
  }

  private final Map<String, Node> byFoldedPath = new HashMap<>();

  /** Adds an entry (already normalised by {@link PathRules#entryName}) and its implied parent directories. */
  void add(String path, boolean dir, String raw) {
    int slash = path.indexOf('/');
    String top = slash < 0 ? path : path.substring(0, slash);
    boolean ok = slash < 0 && !dir ? TOP_FILES.contains(top) : TOP_DIRS.contains(top);
    if (!ok) {
      throw Reasons.reject(Reasons.TOP_LEVEL_ENTRY, raw, "'" + Reasons.printable(raw) + "' is not allowed at the top"
          + " level: only the directories rtl/, tb/, scripts/, docs/ and the files manifest.json, LICENSE, README.md"
          + " (a package has no wrapper directory)");
    }
    for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
      node(path.substring(0, i), true, false, raw);
    }
    node(path, dir, true, raw);
  }

  private void node(String path, boolean dir, boolean explicit, String raw) {
    String key = fold(path);
    Node n = byFoldedPath.get(key);
    if (n == null) {
      byFoldedPath.put(key, new Node(path, dir, explicit));
      return;
    }
    if (!n.path.equals(path)) {
      throw Reasons.reject(Reasons.CASE_COLLISION, raw, "'" + Reasons.printable(path) + "' and '"
          + Reasons.printable(n.path) + "' differ only in case or Unicode normalisation");
    }
    if (n.dir && dir && !(explicit && n.explicit)) {
      n.explicit |= explicit;
      return;
    }
    String what = n.dir == dir ? "appears twice" : "is both a file and a directory";
    throw Reasons.reject(Reasons.DUPLICATE_ENTRY, raw, "'" + Reasons.printable(path) + "' " + what);
  }

  /** Throws {@code missing_file} for the first required file or directory that is absent. */
  void requireLayout() {
    for (String f : REQUIRED_FILES) {
      if (!isFile(f)) throw Reasons.reject(Reasons.MISSING_FILE, f, "the package has no " + f);
    }
    for (String d : REQUIRED_DIRS) {
      if (!isDir(d)) throw Reasons.reject(Reasons.MISSING_FILE, d + "/", "the package has no " + d + "/ directory");
    }
  }

  boolean isFile(String path) {
    Node n = byFoldedPath.get(fold(path));
    return n != null && !n.dir && n.path.equals(path);
  }

  boolean isDir(String path) {
    Node n = byFoldedPath.get(fold(path));
    return n != null && n.dir && n.path.equals(path);
  }

  static String fold(String path) {
    return Normalizer.normalize(path, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
  }
}
