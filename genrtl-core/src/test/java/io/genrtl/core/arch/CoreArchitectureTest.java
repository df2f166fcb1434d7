package io.genrtl.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of genrtl-core's main code: {@code base} depends on the JDK only, the domains on {@code base}
 * and on each other without cycles, the root package ({@code GenRtl}, {@code Stores}, {@code Telemetry}) on
 * everything and nothing in core on the root but the in-memory adapter; no HTTP, JDBC or framework types anywhere
 * in core.
 */
class CoreArchitectureTest {
  static final String CORE = "io.genrtl.core";
  static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(CORE);
  }

  /** Every package of core is one slice, the root package included (as "(root)"); sub-packages join their parent. */
  static final SliceAssignment PACKAGES = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      String p = c.getPackageName();
      if (p.equals(CORE)) return SliceIdentifier.of("(root)");
      if (!p.startsWith(CORE + ".")) return SliceIdentifier.ignore();
      String rest = p.substring(CORE.length() + 1);
      int dot = rest.indexOf('.');
      return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
    }

    @Override
    public String getDescription() {
      return "the packages of genrtl-core (the root package as its own slice)";
    }
  };

  static ArchRule noCycles() {
    return slices().assignedFrom(PACKAGES).should().beFreeOfCycles();
  }

  @Test
  void noCyclesBetweenCorePackages() {
    noCycles().check(core);
  }

  @Test
  void onlyTheInMemoryAdapterDependsOnTheRoot() {
    // the root wires everything; the domains never see it. memory is an adapter (like the JDBC modules): it fills Stores
    noClasses().that().resideOutsideOfPackages(CORE, CORE + ".memory..").should().dependOnClassesThat()
        .resideInAPackage(CORE).check(core);
  }

  @Test
  void coreImportsNoHttpJdbcOrFrameworkTypes() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "io.javalin..",
        "org.eclipse.jetty..", "com.zaxxer..", "org.jdbi..", "okhttp3..", "com.stripe..").check(core);
  }

  @Test
  void baseDependsOnTheJdkOnly() {
    classes().that().resideInAPackage(CORE + ".base..").should().onlyDependOnClassesThat()
        .resideInAnyPackage(CORE + ".base..", "java..").check(core);
  }
}
