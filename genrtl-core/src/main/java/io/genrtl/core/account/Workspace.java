package io.genrtl.core.account;

import java.util.Objects;

/** A project area inside a tenant; usage is attributed to it. Users act in it when they are members. */
public record Workspace(String workspaceId, String tenantId, String name, String createdBy, long createdAt) {
  public Workspace {
    Objects.requireNonNull(workspaceId, "workspaceId");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdBy, "createdBy");
  }
}
