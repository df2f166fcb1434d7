package io.genrtl.core.patch;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces obvious secrets in text with a stable placeholder {@code [REDACTED:<kind>]} before the text leaves for a
 * model provider: PEM private key blocks ({@code private_key}), Anthropic keys {@code sk-ant-…} ({@code
 * anthropic_key}), OpenAI keys {@code sk-…}/{@code sk-proj-…} ({@code openai_key}), genRTL keys {@code grtl_…}
 * ({@code genrtl_key}), AWS access key ids {@code AKIA…}/{@code ASIA…} ({@code aws_key}), GitHub tokens {@code ghp_ gho_
 * ghu_ ghs_ ghr_ github_pat_} ({@code github_token}), Stripe keys {@code sk_live_ sk_test_ rk_live_ rk_test_ whsec_}
 * ({@code stripe_key}), JSON Web Tokens ({@code jwt}), {@code Authorization: Bearer …} values with a digit ({@code
 * bearer}), passwords in URLs {@code scheme://user:password@host} ({@code url_password}) and
 * assignments to names containing {@code password}, {@code passwd}, {@code secret}, {@code token}, {@code api_key}/{@code
 * apikey}, {@code access_key} or {@code private_key} ({@code name=value} without spaces, {@code name = "quoted"},
 * {@code "name": "quoted"}, and YAML-style {@code name: value} at the start of a line with a one-word value of at least
 * six characters), whose value becomes the placeholder ({@code secret}).
 *
 * <p>Aims at recall on well-known shapes, not at finding every secret; it never touches text without one of these
 * shapes (RTL such as {@code token <= next;} or {@code assign secret_ok = 1'b1;} stays as it is). Redacting twice changes
 * nothing. Thread-safe.
 */
public final class SecretRedactor {
  /** The redacted text and how many secrets were replaced. */
  public record Result(String text, int count) {}

  private record Rule(String kind, Pattern pattern, int group) {}

  private static final String NOT_KEY_CHAR = "(?<![A-Za-z0-9_-])";
  private static final String NAMES = "[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key)[A-Za-z0-9_.-]*";

  private static final List<Rule> RULES = List.of(
      new Rule("private_key", Pattern.compile(
          "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|.*\\z)",
          Pattern.DOTALL), 0),
      new Rule("anthropic_key", Pattern.compile(NOT_KEY_CHAR + "sk-ant-[A-Za-z0-9_-]{16,}"), 0),
      new Rule("openai_key", Pattern.compile(NOT_KEY_CHAR + "sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"), 0),
      new Rule("genrtl_key", Pattern.compile(NOT_KEY_CHAR + "grtl_[A-Za-z0-9]{10,}_[A-Za-z0-9_-]{8,}"), 0),
      new Rule("aws_key", Pattern.compile("(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"), 0),
      new Rule("github_token", Pattern.compile(NOT_KEY_CHAR + "(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"), 0),
      new Rule("stripe_key", Pattern.compile(NOT_KEY_CHAR + "(?:sk_live_|sk_test_|rk_live_|rk_test_|whsec_)[A-Za-z0-9]{10,}"), 0),
      new Rule("jwt", Pattern.compile(NOT_KEY_CHAR + "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"), 0),
      new Rule("bearer", Pattern.compile("(?i)\\bBearer\\s+((?=[A-Za-z._~+/-]*[0-9])[A-Za-z0-9._~+/-]{8,}=*)"), 1),
      new Rule("url_password", Pattern.compile("(?<=://)[^/\\s:@\"']+:([^/\\s@\"']+)@"), 1),
      // "name": "value" / name = "value" / name='value'
      new Rule("secret", Pattern.compile("(?i)(?<![A-Za-z0-9_.-])[\"']?" + NAMES + "[\"']?\\s*[:=]\\s*(\"[^\"\\n]+\"|'[^'\\n]+')"), 1),
      // name=value (no spaces: env files, URLs, command lines)
      new Rule("secret", Pattern.compile("(?i)(?<![A-Za-z0-9_.-])" + NAMES + "=([^\\s\"'&;,=][^\\s\"'&;,]*)"), 1),
      // YAML: name: value at the start of a line, the value one word of 6+ characters (not an RTL case item)
      new Rule("secret", Pattern.compile("(?im)^[ \\t]*[\"']?" + NAMES + "[\"']?:[ \\t]+(?!begin\\b)([^\\s\"'#;]{6,})[ \\t]*$"), 1));

  private SecretRedactor() {}

  /** The placeholder for a kind of secret. */
  public static String placeholder(String kind) {
    return "[REDACTED:" + kind + "]";
  }

  /** Redacts {@code text} (null gives an empty result). */
  public static Result redact(String text) {
    if (text == null || text.isEmpty()) return new Result(text == null ? "" : text, 0);
    String s = text;
    int count = 0;
    for (Rule r : RULES) {
      Matcher m = r.pattern().matcher(s);
      StringBuilder out = null;
      int last = 0;
      while (m.find()) {
        int start = m.start(r.group());
        int end = m.end(r.group());
        String value = s.substring(start, end);
        String unquoted = value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'') ? value.substring(1, value.length() - 1) : value;
        if (unquoted.startsWith("[REDACTED")) continue; // already done (by an earlier rule or an earlier pass)
        if (out == null) out = new StringBuilder(s.length());
        out.append(s, last, start);
        String ph = placeholder(r.kind());
        out.append(value.length() == unquoted.length() ? ph : value.charAt(0) + ph + value.charAt(0));
        last = end;
        count++;
      }
      if (out != null) {
        out.append(s, last, s.length());
        s = out.toString();
      }
    }
    return new Result(s, count);
  }
}
