package io.genrtl.core.patch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretRedactorTest {
  /** Planted secrets, one per shape (fake values of realistic form). */
  static final List<String> SECRETS = List.of(
      "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
      "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-xyz",
      "grtl_01JD8Y3Q4R5S6T7V8W9X0Y1Z2A_s3cr3tS3cr3tS3cr3t",
      "AKIAIOSFODNN7EXAMPLE",
      "ghp_0123456789abcdefghijABCDEFGHIJ012345",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
      "sk_live_51HabcdefghijKLMNOPqrstuv",
      "rk_test_51HabcdefghijKLMNOPqrstuv",
      "whsec_abcdefghijKLMNOP0123456789",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U");

  @Test
  void everyKnownShapeIsReplaced() {
    for (String s : SECRETS) {
      SecretRedactor.Result r = SecretRedactor.redact("key: " + s + " end");
      assertThat(r.text()).as(s).doesNotContain(s).contains("[REDACTED:").endsWith(" end");
      assertThat(r.count()).as(s).isEqualTo(1);
    }
  }

  @Test
  void placeholdersNameTheKind() {
    assertThat(SecretRedactor.redact("export OPENAI_API_KEY=" + SECRETS.get(0)).text())
        .isEqualTo("export OPENAI_API_KEY=[REDACTED:openai_key]");
    assertThat(SecretRedactor.redact("x " + SECRETS.get(1)).text()).isEqualTo("x [REDACTED:anthropic_key]");
    assertThat(SecretRedactor.redact(SECRETS.get(3)).text()).isEqualTo("[REDACTED:aws_key]");
    assertThat(SecretRedactor.placeholder("jwt")).isEqualTo("[REDACTED:jwt]");
  }

  @Test
  void pemPrivateKeyBlocksAreRemovedWhole() {
    String pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabcdefghij\n-----END RSA PRIVATE KEY-----";
    SecretRedactor.Result r = SecretRedactor.redact("before\n" + pem + "\nafter");
    assertThat(r.text()).isEqualTo("before\n[REDACTED:private_key]\nafter");
    assertThat(r.count()).isEqualTo(1);
    // an unterminated block is cut to the end
    assertThat(SecretRedactor.redact("x\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n").text())
        .isEqualTo("x\n[REDACTED:private_key]");
    assertThat(SecretRedactor.redact("-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----").text())
        .isEqualTo("[REDACTED:private_key]");
    // a public key or certificate is left alone
    String cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    assertThat(SecretRedactor.redact(cert).count()).isZero();
  }

  @Test
  void bearerValuesAndUrlPasswords() {
    assertThat(SecretRedactor.redact("Authorization: Bearer abc123def456ghi").text()).isEqualTo("Authorization: Bearer [REDACTED:bearer]");
    assertThat(SecretRedactor.redact("curl -H 'authorization: bearer Zm9vYmFyYmF6MTIz=='").text())
        .isEqualTo("curl -H 'authorization: bearer [REDACTED:bearer]'");
    assertThat(SecretRedactor.redact("Bearer tokens are passed in a header").count()).isZero();
    assertThat(SecretRedactor.redact("git clone https://bob:hunter2@git.example.com/r.git").text())
        .isEqualTo("git clone https://bob:[REDACTED:url_password]@git.example.com/r.git");
  }

  @Test
  void assignmentsToSecretNames() {
    assertThat(SecretRedactor.redact("DB_PASSWORD=hunter2\nTOKEN=abc&x=1").text())
        .isEqualTo("DB_PASSWORD=[REDACTED:secret]\nTOKEN=[REDACTED:secret]&x=1");
    assertThat(SecretRedactor.redact("https://h/cb?code=1&access_token=xyz123&state=2").text())
        .isEqualTo("https://h/cb?code=1&access_token=[REDACTED:secret]&state=2");
    assertThat(SecretRedactor.redact("{\"password\": \"p@ss word\", \"user\": \"bob\"}").text())
        .isEqualTo("{\"password\": \"[REDACTED:secret]\", \"user\": \"bob\"}");
    assertThat(SecretRedactor.redact("client_secret = 'abc'").text()).isEqualTo("client_secret = '[REDACTED:secret]'");
    assertThat(SecretRedactor.redact("string api_key = \"k-123\";").text()).isEqualTo("string api_key = \"[REDACTED:secret]\";");
    assertThat(SecretRedactor.redact("smtp:\n  password: Sup3rSecret\n").text()).isEqualTo("smtp:\n  password: [REDACTED:secret]\n");
  }

  @Test
  void ordinaryRtlIsLeftAlone() {
    String rtl = String.join("\n",
        "module arb(input clk, input [3:0] req, output reg [3:0] token);",
        "  reg token_valid;",
        "  wire secret_ok = 1'b1;",
        "  always @(posedge clk) token <= {token[2:0], token[3]};",
        "  assign token_valid = |token;",
        "  case (state)",
        "    TOKEN_WAIT: begin",
        "      state <= IDLE;",
        "    end",
        "    PASSWORD_CHECK: state <= IDLE;",
        "  endcase",
        "  // task-level skip: disk-backed, ask-for-review",
        "endmodule");
    SecretRedactor.Result r = SecretRedactor.redact(rtl);
    assertThat(r.text()).isEqualTo(rtl);
    assertThat(r.count()).isZero();
  }

  @Test
  void redactingTwiceChangesNothingAndCountsAreExact() {
    String all = String.join("\n", SECRETS) + "\npassword=\"" + SECRETS.get(0) + "\"\nBearer " + SECRETS.get(9);
    SecretRedactor.Result once = SecretRedactor.redact(all);
    assertThat(once.count()).isEqualTo(SECRETS.size() + 2);
    for (String s : SECRETS) assertThat(once.text()).doesNotContain(s);
    SecretRedactor.Result twice = SecretRedactor.redact(once.text());
    assertThat(twice.text()).isEqualTo(once.text());
    assertThat(twice.count()).isZero();
    assertThat(SecretRedactor.redact(null)).isEqualTo(new SecretRedactor.Result("", 0));
  }
}
