package io.genrtl.core.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.GenRtl;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.patch.SecretRedactor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An embedder's submissions get the upload caps and the redaction, with no HTTP layer in front. */
class JobUploadsTest {
  static final String ANTHROPIC = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123";
  static final String AWS = "AKIAABCDEFGHIJKLMNOP";

  io.genrtl.core.Stores stores;
  GenRtl genrtl;
  Principal ann;
  String ws;
  final List<String> estimated = new ArrayList<>();

  static JobHandler handler(JobInputPolicy policy, List<String> seen) {
    return new JobHandler() {
      public long firstStepWorstCaseMicros(String input) {
        seen.add(input);
        return 0;
      }

      public String run(JobContext ctx) {
        return "{}";
      }

      public JobInputPolicy inputPolicy() {
        return policy;
      }
    };
  }

  @BeforeEach
  void setUp() {
    stores = InMemoryStores.create();
    genrtl = GenRtl.builder().stores(stores)
        .jobHandler("plan", handler(JobInputPolicy.REDACTED, estimated))
        .jobHandler("implement", handler(JobInputPolicy.IMPLEMENT_UPLOAD, estimated))
        .jobHandler("repair", handler(JobInputPolicy.REPAIR_UPLOAD, estimated))
        .jobHandler("tool", handler(JobInputPolicy.AS_GIVEN, estimated))
        .build();
    CreatedUser u = genrtl.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
    ann = Principal.of(u.user(), null);
    ws = genrtl.accounts().createWorkspace(ann, "soc").workspaceId();
  }

  private String stored(String type, String input) {
    Job j = genrtl.jobs().submit(ann, type, ws, input, null);
    String kept = stores.jobs().find(j.jobId()).orElseThrow().input();
    assertThat(estimated).last().as("the handler estimates what is stored").isEqualTo(kept);
    return kept;
  }

  private static GenRtlException refusal(Runnable r) {
    try {
      r.run();
    } catch (GenRtlException e) {
      return e;
    }
    throw new AssertionError("expected a refusal");
  }

  @Test
  void anEmbeddersPlanSubmissionIsStoredRedacted() {
    String kept = stored("plan", "{\"spec\":\"a uart; our key is " + ANTHROPIC + "\",\"constraints\":{\"notes\":[\"" + AWS + "\"]}}");
    assertThat(kept).doesNotContain(ANTHROPIC).doesNotContain(AWS)
        .contains(SecretRedactor.placeholder("anthropic_key")).contains(SecretRedactor.placeholder("aws_key"));
    // nothing to redact: the input is stored byte for byte
    assertThat(stored("plan", "{ \"spec\" : \"a fifo\" }")).isEqualTo("{ \"spec\" : \"a fifo\" }");
    // not JSON: redacted as text
    assertThat(stored("plan", "spec with " + ANTHROPIC)).doesNotContain(ANTHROPIC);
  }

  @Test
  void anEmbeddersImplementSubmissionIsNormalisedAndRedacted() {
    String kept = stored("implement", "{\"workspace_id\":\"ignored\",\"plan\":{\"modules\":[],\"note\":\"" + ANTHROPIC + "\"},"
        + "\"policy\":{\"readonly_paths\":[\"ip/\"]},\"files\":[{\"path\":\"rtl/a.sv\",\"content\":\"// " + AWS + "\\n\"}]}");
    assertThat(kept).doesNotContain(ANTHROPIC).doesNotContain(AWS).doesNotContain("workspace_id");
    assertThat(kept).startsWith("{\"plan\":{\"modules\":[],\"note\":\"")
        .contains("\"resolved_cbbs\":[],\"readonly_paths\":[\"vendor/cbb/\",\"ip/\"],\"files\":[{\"path\":\"rtl/a.sv\",\"content\":\"// ");
    // what is stored is accepted again as it is (a stored input resubmitted by an embedder)
    assertThat(stored("implement", kept)).isEqualTo(kept);
  }

  @Test
  void aRepairSubmissionIsRedactedAndCheckedLikeTheRoute() {
    String kept = stored("repair", "{\"evidence\":{\"tool\":\"iverilog\",\"command\":{\"compile\":\"iverilog a.sv\",\"run\":null},"
        + "\"log_excerpt\":\"token " + ANTHROPIC + "\",\"tool_version\":\"11\"}}");
    assertThat(kept).doesNotContain(ANTHROPIC).startsWith("{\"plan\":null,\"evidence\":{\"tool\":\"iverilog\"")
        .contains("\"tool_version\":\"11\"").endsWith("\"readonly_paths\":[\"vendor/cbb/\"],\"files\":[]}");
    GenRtlException noTool = refusal(() -> genrtl.jobs().submit(ann, "repair", ws, "{\"evidence\":{}}", null));
    assertThat(noTool.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(noTool.details()).containsEntry("field", "evidence.tool");
    GenRtlException line = refusal(() -> genrtl.jobs().submit(ann, "repair", ws,
        "{\"evidence\":{\"tool\":\"x\",\"diagnostics\":[{\"message\":\"m\",\"line\":1.5}]}}", null));
    assertThat(line.details()).containsEntry("field", "evidence.diagnostics[0].line");
  }

  @Test
  void theUploadCapsHoldForEveryEmbedder() {
    StringBuilder many = new StringBuilder("{\"plan\":{},\"files\":[");
    for (int i = 0; i <= JobUploads.MAX_FILES; i++) many.append(i == 0 ? "" : ",").append("{\"path\":\"f").append(i).append(".v\",\"content\":\"\"}");
    many.append("]}");
    GenRtlException tooMany = refusal(() -> genrtl.jobs().submit(ann, "implement", ws, many.toString(), null));
    assertThat(tooMany.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(tooMany.details()).containsEntry("field", "files");
    // the full-upload flag raises the count cap
    assertThat(stored("implement", many.toString().replace("{\"plan\":{},", "{\"plan\":{},\"allow_full_upload\":true,"))).contains("f20.v");

    String big = "x".repeat(JobUploads.MAX_FILE_BYTES + 1);
    GenRtlException tooBig = refusal(() -> genrtl.jobs().submit(ann, "implement", ws,
        "{\"plan\":{},\"files\":[{\"path\":\"a.v\",\"content\":\"" + big + "\"}]}", null));
    assertThat(tooBig.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(tooBig.details()).isEqualTo(Map.of("field", "files[0].content", "max_bytes", (long) JobUploads.MAX_FILE_BYTES));

    assertThat(refusal(() -> genrtl.jobs().submit(ann, "implement", ws, "{\"files\":[]}", null)).details())
        .containsEntry("field", "plan");
    assertThat(refusal(() -> genrtl.jobs().submit(ann, "implement", ws,
        "{\"plan\":{},\"files\":[{\"path\":\"../etc/passwd\",\"content\":\"\"}]}", null)).details())
        .containsEntry("field", "files[0].path");
    assertThat(refusal(() -> genrtl.jobs().submit(ann, "implement", ws, "{\"plan\":{},\"policy\":{\"readonly_paths\":[\"/abs\"]}}", null))
        .details()).containsEntry("field", "policy.readonly_paths");
    assertThat(refusal(() -> genrtl.jobs().submit(ann, "implement", ws, "{\"plan\":", null)).code())
        .isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(stores.jobs().countActive(ann.userId())).as("no refused submission created a job").isEqualTo(1);
  }

  @Test
  void aToolInputIsStoredAsGiven() {
    String input = "{\"files\":[{\"path\":\"a.v\",\"text\":\"// " + AWS + "\"}]}";
    assertThat(stored("tool", input)).isEqualTo(input);
  }

  @Test
  void theRefusalComesBeforeTheWorkspaceIsLookedUp() {
    // as the HTTP route did it: a malformed upload is 400 even for a workspace the caller cannot see
    assertThatThrownBy(() -> genrtl.jobs().submit(ann, "implement", "no-such-ws", "{}", null))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED));
  }
}
