package io.genrtl.core.account;

import java.util.Map;

/**
 * Where the account services record what they did (the audit log; {@code GenRtl} wires
 * {@link io.genrtl.core.audit.AuditService#record}). Called inside the transaction of the change, so the entry
 * commits with it. The actor is the one bound to the calling thread.
 */
@FunctionalInterface
public interface AccountAudit {
  String KEY_CREATE = "key.create";
  String KEY_REVOKE = "key.revoke";
  String USER_DISABLE = "user.disable";
  String USER_ENABLE = "user.enable";

  void record(String action, String targetType, String targetId, String tenantId, Map<String, ?> details);
}
