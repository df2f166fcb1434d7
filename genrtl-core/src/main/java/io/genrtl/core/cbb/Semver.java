package io.genrtl.core.cbb;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Semantic Versioning 2.0.0 version, ordered by its precedence rules (build metadata ignored). */
public record Semver(int major, int minor, int patch, List<String> prerelease, String build) implements Comparable<Semver> {
  private static final Pattern SEMVER = Pattern.compile(
      "^(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})"
          + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
          + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$");

  public Semver {
    prerelease = List.copyOf(prerelease);
  }

  public static Optional<Semver> parse(String s) {
    if (s == null || s.length() > 128) return Optional.empty();
    Matcher m = SEMVER.matcher(s);
    if (!m.matches()) return Optional.empty();
    List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
    return Optional.of(new Semver(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
        pre, m.group(5)));
  }

  public static boolean isValid(String s) {
    return parse(s).isPresent();
  }

  public boolean isPrerelease() {
    return !prerelease.isEmpty();
  }

  @Override
  public int compareTo(Semver o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) c = Integer.compare(minor, o.minor);
    if (c == 0) c = Integer.compare(patch, o.patch);
    if (c != 0) return c;
    if (prerelease.isEmpty() || o.prerelease.isEmpty()) return Boolean.compare(prerelease.isEmpty(), o.prerelease.isEmpty());
    for (int i = 0; i < Math.min(prerelease.size(), o.prerelease.size()); i++) {
      String a = prerelease.get(i);
      String b = o.prerelease.get(i);
      boolean an = a.chars().allMatch(Character::isDigit);
      boolean bn = b.chars().allMatch(Character::isDigit);
      int d = an && bn ? Long.compare(Long.parseLong(a), Long.parseLong(b)) : an ? -1 : bn ? 1 : a.compareTo(b);
      if (d != 0) return d;
    }
    return Integer.compare(prerelease.size(), o.prerelease.size());
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch + (prerelease.isEmpty() ? "" : "-" + String.join(".", prerelease))
        + (build == null ? "" : "+" + build);
  }

  /**
   * A version range as npm writes them: {@code 1.2.3}, {@code =1.2.3}, {@code ^1.2}, {@code ~1.2.3}, {@code 1.2.x},
   * {@code *}, comparators {@code >=1 <2} (space means and), alternatives joined by {@code ||}. Pre-releases only
   * match a comparator with the same major.minor.patch that has a pre-release itself.
   */
  public static final class Range {
    private record Comparator(String op, Semver v) {
      boolean test(Semver x) {
        int c = x.compareTo(v);
        return switch (op) {
          case ">" -> c > 0;
          case ">=" -> c >= 0;
          case "<" -> c < 0;
          case "<=" -> c <= 0;
          default -> c == 0;
        };
      }
    }

    private final List<List<Comparator>> alternatives;
    private final String text;

    private Range(List<List<Comparator>> alternatives, String text) {
      this.alternatives = alternatives;
      this.text = text;
    }

    public static Optional<Range> parse(String s) {
      if (s == null || s.length() > 256) return Optional.empty();
      List<List<Comparator>> alts = new ArrayList<>();
      for (String alt : s.trim().split("\\s*\\|\\|\\s*", -1)) {
        List<Comparator> set = new ArrayList<>();
        String a = alt.trim().replaceAll("(>=|<=|>|<|=|\\^|~)\\s+", "$1");
        if (a.isEmpty() || a.equals("*") || a.equalsIgnoreCase("x")) {
          set.add(new Comparator(">=", new Semver(0, 0, 0, List.of(), null)));
          alts.add(set);
          continue;
        }
        for (String part : a.split("\\s+")) {
          if (!addPart(part, set)) return Optional.empty();
        }
        alts.add(set);
      }
      return Optional.of(new Range(alts, s.trim()));
    }

    private static boolean addPart(String part, List<Comparator> set) {
      String op = "";
      for (String o : new String[] {">=", "<=", ">", "<", "=", "^", "~"}) {
        if (part.startsWith(o)) {
          op = o;
          break;
        }
      }
      String v = part.substring(op.length());
      if (v.startsWith("v")) v = v.substring(1);
      Partial p = Partial.parse(v);
      if (p == null) return false;
      switch (op) {
        case "^" -> {
          Semver lo = p.floor();
          Semver hi = p.major == 0 && p.minor != null && p.minor != 0 ? new Semver(0, p.minor + 1, 0, List.of("0"), null)
              : p.major == 0 && p.minor != null && p.patch != null ? new Semver(0, 0, p.patch + 1, List.of("0"), null)
              : p.major == 0 && p.minor == null ? new Semver(1, 0, 0, List.of("0"), null)
              : p.major == 0 ? new Semver(0, 1, 0, List.of("0"), null)
              : new Semver(p.major + 1, 0, 0, List.of("0"), null);
          set.add(new Comparator(">=", lo));
          set.add(new Comparator("<", hi));
        }
        case "~" -> {
          Semver lo = p.floor();
          Semver hi = p.minor == null ? new Semver(p.major + 1, 0, 0, List.of("0"), null)
              : new Semver(p.major, p.minor + 1, 0, List.of("0"), null);
          set.add(new Comparator(">=", lo));
          set.add(new Comparator("<", hi));
        }
        case "", "=" -> {
          if (p.isFull()) {
            set.add(new Comparator("=", p.full));
          } else {
            set.add(new Comparator(">=", p.floor()));
            set.add(new Comparator("<", p.nextUp()));
          }
        }
        case ">" -> set.add(p.isFull() ? new Comparator(">", p.full) : new Comparator(">=", p.nextUp()));
        case ">=" -> set.add(new Comparator(">=", p.floor()));
        case "<" -> set.add(new Comparator("<", p.isFull() ? p.full : p.floorWithZeroPre()));
        case "<=" -> set.add(p.isFull() ? new Comparator("<=", p.full) : new Comparator("<", p.nextUp()));
        default -> {
          return false;
        }
      }
      return true;
    }

    /** A possibly partial version: {@code 1}, {@code 1.2}, {@code 1.2.x}, {@code 1.2.3-rc.1}. */
    private static final class Partial {
      Integer major;
      Integer minor;
      Integer patch;
      Semver full;

      static Partial parse(String v) {
        Partial p = new Partial();
        Optional<Semver> full = Semver.parse(v);
        if (full.isPresent()) {
          p.full = full.get();
          p.major = p.full.major();
          p.minor = p.full.minor();
          p.patch = p.full.patch();
          return p;
        }
        String[] parts = v.split("\\.", -1);
        if (parts.length == 0 || parts.length > 3) return null;
        Integer[] nums = new Integer[3];
        for (int i = 0; i < parts.length; i++) {
          String s = parts[i];
          if (s.equals("x") || s.equals("X") || s.equals("*")) break;
          if (!s.matches("0|[1-9]\\d{0,8}")) return null;
          nums[i] = Integer.parseInt(s);
        }
        if (nums[0] == null) return null;
        p.major = nums[0];
        p.minor = nums[1];
        p.patch = nums[1] == null ? null : nums[2];
        return p;
      }

      boolean isFull() {
        return full != null;
      }

      Semver floor() {
        return full != null ? full : new Semver(major, minor == null ? 0 : minor, patch == null ? 0 : patch, List.of(), null);
      }

      Semver floorWithZeroPre() {
        return new Semver(major, minor == null ? 0 : minor, patch == null ? 0 : patch, List.of("0"), null);
      }

      Semver nextUp() {
        if (minor == null) return new Semver(major + 1, 0, 0, List.of("0"), null);
        if (patch == null) return new Semver(major, minor + 1, 0, List.of("0"), null);
        return new Semver(major, minor, patch + 1, List.of("0"), null);
      }
    }

    public boolean matches(Semver v) {
      for (List<Comparator> set : alternatives) {
        boolean all = set.stream().allMatch(c -> c.test(v));
        if (!all) continue;
        if (!v.isPrerelease()) return true;
        // a pre-release only matches if a comparator of this set names the same version core with a pre-release
        boolean allowed = set.stream().anyMatch(c -> c.v.isPrerelease() && !c.v.prerelease().equals(List.of("0"))
            && c.v.major() == v.major() && c.v.minor() == v.minor() && c.v.patch() == v.patch());
        if (allowed) return true;
      }
      return false;
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
