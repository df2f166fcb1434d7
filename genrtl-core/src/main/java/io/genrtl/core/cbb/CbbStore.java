package io.genrtl.core.cbb;

import io.genrtl.core.base.DuplicateKeyException;
import java.util.List;
import java.util.Optional;

/** Published CBB versions. {@code (cbb_id, version)} is unique and a version never changes, except being yanked. */
public interface CbbStore {
  /** Inserts a version; an existing (id, version) throws {@link DuplicateKeyException}. */
  void insert(CbbVersion version);

  Optional<CbbVersion> find(String cbbId, String version);

  /** All versions of one CBB, in no particular order. */
  List<CbbVersion> versions(String cbbId);

  /** Every version of every CBB (the catalog is small: hundreds of packages). */
  List<CbbVersion> all();

  boolean yank(String cbbId, String version);
}
