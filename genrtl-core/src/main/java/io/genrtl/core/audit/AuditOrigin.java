package io.genrtl.core.audit;

/** Where a request came from, as the host saw it; every field may be null. Never holds secrets. */
public record AuditOrigin(String ip, String userAgent, String requestId) {
  public static final AuditOrigin NONE = new AuditOrigin(null, null, null);
  static final int MAX_USER_AGENT = 256;

  public AuditOrigin {
    if (userAgent != null && userAgent.length() > MAX_USER_AGENT) userAgent = userAgent.substring(0, MAX_USER_AGENT);
    if (ip != null && ip.length() > 64) ip = ip.substring(0, 64);
    if (requestId != null && requestId.length() > 64) requestId = requestId.substring(0, 64);
  }
}
