package io.genrtl.host.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The host's routes parse, call a core service and render: no class in {@code io.genrtl.host.http} depends on
 * {@code Stores} or on a store port it hands out (the core types its accessors return: {@code UserStore},
 * {@code JobStore}, …, {@code Transactor}; found from {@code Stores} itself, wherever core keeps it), nor calls
 * {@code GenRtl.stores()}. The CBB download route streams a package's bytes from the {@code BlobStore} the CBB
 * service hands out; that is file content, not a store of {@code Stores}, and stays allowed.
 */
class HostArchitectureTest {
  static final String HTTP = "io.genrtl.host.http..";
  static JavaClasses main;
  static final java.util.Set<String> STORE_PORTS = new java.util.TreeSet<>();

  @BeforeAll
  static void importMain() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.genrtl.host", "io.genrtl.core");
    JavaClass stores = main.stream().filter(c -> c.getSimpleName().equals("Stores")
        && c.getPackageName().startsWith("io.genrtl.core")).findFirst().orElseThrow();
    collect(stores);
  }

  /** {@code type} and, through its accessors, every port it hands out (a store group's own ports included). */
  private static void collect(JavaClass type) {
    if (!STORE_PORTS.add(type.getFullName())) return;
    type.getMethods().forEach(m -> {
      JavaClass r = m.getRawReturnType();
      if (!r.getPackageName().startsWith("io.genrtl.core") || r.getFullName().equals(type.getFullName())) return;
      if (r.getSimpleName().endsWith("Stores")) collect(r); // a group of ports
      else STORE_PORTS.add(r.getFullName());
    });
  }

  static final DescribedPredicate<JavaClass> STORE_PORT = DescribedPredicate.describe(
      "are Stores or a store port it hands out", c -> STORE_PORTS.contains(c.getFullName()));

  static final DescribedPredicate<JavaCall<?>> STORES_ACCESSOR = DescribedPredicate.describe("GenRtl.stores()",
      call -> call.getTarget().getName().equals("stores")
          && call.getTarget().getOwner().getFullName().equals("io.genrtl.core.GenRtl"));

  static final ArchRule NO_STORE_TYPES = noClasses().that().resideInAPackage(HTTP)
      .should().dependOnClassesThat(STORE_PORT);

  static final ArchRule NO_STORES_CALL = noClasses().that().resideInAPackage(HTTP)
      .should().callCodeUnitWhere(STORES_ACCESSOR);

  @Test
  void theHttpPackageTouchesNoStorePort() {
    assertThat(main.stream().filter(c -> c.getPackageName().equals("io.genrtl.host.http")).count())
        .as("the routes were imported").isGreaterThan(20);
    assertThat(STORE_PORTS).as("Stores and its ports were found").hasSizeGreaterThan(20)
        .anyMatch(n -> n.endsWith(".UserStore")).anyMatch(n -> n.endsWith(".JobStore"));
    NO_STORE_TYPES.check(main);
    NO_STORES_CALL.check(main);
  }

  @Test
  void theRulesReportAClassThatReadsTheStores() throws Exception {
    JavaClasses fixture = new ClassFileImporter().importClasses(Class.forName("io.genrtl.host.http.StoreTouchingFixture"));
    EvaluationResult types = NO_STORE_TYPES.evaluate(fixture);
    EvaluationResult calls = NO_STORES_CALL.evaluate(fixture);
    assertThat(types.hasViolation()).isTrue();
    assertThat(types.getFailureReport().getDetails()).anyMatch(d -> d.contains("Stores.users()"));
    assertThat(calls.hasViolation()).isTrue();
    assertThat(calls.getFailureReport().getDetails()).anyMatch(d -> d.contains("viaFacade"));
  }
}
