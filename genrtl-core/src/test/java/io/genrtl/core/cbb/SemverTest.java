package io.genrtl.core.cbb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SemverTest {
  @Test
  void parsesStrictSemver() {
    assertThat(Semver.isValid("1.2.3")).isTrue();
    assertThat(Semver.isValid("1.2.3-rc.1+build.5")).isTrue();
    assertThat(Semver.isValid("0.0.0")).isTrue();
    for (String bad : List.of("1.2", "01.2.3", "1.2.3-", "1.2.3-01", "v1.2.3", "1.2.3.4", "", " 1.2.3", "1.2.3+", "a.b.c")) {
      assertThat(Semver.isValid(bad)).as(bad).isFalse();
    }
  }

  @Test
  void ordersByPrecedence() {
    List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
        "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0");
    List<String> shuffled = new java.util.ArrayList<>(ordered);
    java.util.Collections.shuffle(shuffled, new Random(7));
    assertThat(shuffled.stream().map(s -> Semver.parse(s).orElseThrow()).sorted().map(Semver::toString)
        .collect(Collectors.toList())).containsExactlyElementsOf(ordered);
    assertThat(Semver.parse("1.0.0+a").orElseThrow().compareTo(Semver.parse("1.0.0+b").orElseThrow())).isZero();
  }

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
      "^1.2, 1.2.0, true", "^1.2, 1.9.9, true", "^1.2, 2.0.0, false", "^1.2, 1.1.9, false", "^1.2, 2.0.0-rc.1, false",
      "^0.2.3, 0.2.9, true", "^0.2.3, 0.3.0, false", "^0.0.3, 0.0.4, false", "^0.0.3, 0.0.3, true", "^0, 0.9.0, true",
      "~1.2.3, 1.2.9, true", "~1.2.3, 1.3.0, false", "~1.2, 1.2.0, true", "~1, 1.9.0, true", "~1, 2.0.0, false",
      ">=1 <2, 1.5.0, true", ">=1 <2, 2.0.0, false", ">= 1.0.0 < 2, 1.0.0, true", "1.2.x, 1.2.7, true", "1.2.x, 1.3.0, false",
      "*, 3.4.5, true", "*, 1.0.0-rc.1, false", "1.2.3, 1.2.3, true", "=1.2.3, 1.2.4, false", "1.2, 1.2.9, true",
      "<1.2, 1.1.9, true", "<1.2, 1.2.0, false", "<=1.2, 1.2.9, true", ">1.2, 1.3.0, true", ">1.2, 1.2.9, false",
      "^1.0 || ^3.0, 3.1.0, true", "^1.0 || ^3.0, 2.1.0, false", ">=1.0.0-rc.1 <2, 1.0.0-rc.2, true",
      ">=1.0.0-rc.1 <2, 1.1.0-rc.1, false", "'', 1.0.0, true"})
  void rangesMatchLikeNpm(String range, String version, boolean expected) {
    Semver.Range r = Semver.Range.parse(range).orElseThrow();
    assertThat(r.matches(Semver.parse(version).orElseThrow())).isEqualTo(expected);
  }

  @Test
  void nonsenseRangesAreRefused() {
    Stream.of("not a range!", "^^1", ">=x.y", "1.2.3.4", "~", "^a").forEach(s -> assertThat(Semver.Range.parse(s)).as(s).isEmpty());
  }
}
