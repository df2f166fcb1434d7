package io.genrtl.host.obs;

import org.slf4j.MDC;

/**
 * The request id and job id of the work running on this thread, for spans and log lines ({@code request_id},
 * {@code job_id} in the JSON log format; kept in the MDC too).
 */
public final class RequestContext {
  private static final ThreadLocal<String> REQUEST = new ThreadLocal<>();
  private static final ThreadLocal<String> JOB = new ThreadLocal<>();

  private RequestContext() {}

  public static String requestId() {
    return REQUEST.get();
  }

  public static String jobId() {
    return JOB.get();
  }

  public static void setRequest(String id) {
    if (id == null) {
      REQUEST.remove();
      MDC.remove("request_id");
    } else {
      REQUEST.set(id);
      MDC.put("request_id", id);
    }
  }

  public static void setJob(String id) {
    if (id == null) {
      JOB.remove();
      MDC.remove("job_id");
    } else {
      JOB.set(id);
      MDC.put("job_id", id);
    }
  }
}
