package io.genrtl.core.account;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.util.Optional;

public interface WorkspaceStore {
  void insert(Workspace workspace);

  Optional<Workspace> find(String workspaceId);

  /** Adds a member; adding an existing member changes nothing. */
  void addMember(String workspaceId, String userId, long at);

  boolean isMember(String workspaceId, String userId);

  /** Workspaces the user is a member of, ordered by id. */
  Page<Workspace> listForMember(String userId, PageRequest page);

  /** All workspaces of a tenant, ordered by id. */
  Page<Workspace> listForTenant(String tenantId, PageRequest page);

  /** Every workspace, ordered by id. */
  Page<Workspace> listAll(PageRequest page);
}
