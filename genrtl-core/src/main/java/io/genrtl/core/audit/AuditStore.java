package io.genrtl.core.audit;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.util.Optional;

/** The append-only audit log. There is no update and no delete (the SQL stores' triggers refuse both). */
public interface AuditStore {
  void append(AuditEntry entry);

  Optional<AuditEntry> find(String entryId);

  /** Newest first (by id); {@code page.after()} is the last id of the previous page. */
  Page<AuditEntry> list(AuditQuery query, PageRequest page);
}
