package io.genrtl.core.cbb;

import java.nio.file.Path;

/**
 * Reads and validates a CBB archive ({@code .zip} or {@code .tar.gz}, detected from its bytes) without unpacking it
 * to disk. Implemented by {@code genrtl-cbb-package}.
 *
 * <p>A rejected package throws {@link io.genrtl.core.base.GenRtlException} with code
 * {@link io.genrtl.core.base.ErrorCode#INVALID_PACKAGE} and details {@code entry} (the offending entry name, when there is
 * one) and {@code reason} (a stable machine reason: {@code not_an_archive}, {@code absolute_path},
 * {@code path_traversal}, {@code backslash}, {@code nul_in_name}, {@code ambiguous_name}, {@code path_too_long},
 * {@code link}, {@code special_file},
 * {@code case_collision}, {@code duplicate_entry}, {@code top_level_entry}, {@code too_many_entries},
 * {@code too_large}, {@code compression_ratio}, {@code missing_file}, {@code manifest_invalid},
 * {@code bad_filelist}).
 */
public interface PackageInspector {
  CbbPackage inspect(Path archive, PackageLimits limits);
}
