package io.genrtl.core.account;

import io.genrtl.core.base.Transactor;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Issues, authenticates and revokes API keys of the form {@code grtl_<key id>_<secret>}. The key id is a ULID; the
 * secret is 32 base62 characters (about 190 random bits). Only SHA-256 of (key id, secret) is stored; comparison
 * is constant-time. {@code last_used_at} is written at most once per {@link #LAST_USED_RESOLUTION_MS}.
 */
public final class ApiKeyService {
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ApiKeyService.class.getName());
  public static final String PREFIX = "grtl_";
  public static final int SECRET_LENGTH = 32;
  public static final long LAST_USED_RESOLUTION_MS = 60_000;
  public static final int MAX_NAME_LENGTH = 100;
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] DUMMY_HASH = hash("0", "0");

  private final Transactor tx;

  private final AccountStores accountStores;
  private final Clock clock;
  private final IdGenerator ids;
  private final AccountAudit audit;

  public ApiKeyService(Transactor tx, AccountStores accountStores, Clock clock, IdGenerator ids, AccountAudit audit) {
    this.tx = tx;
    this.accountStores = accountStores;
    this.clock = clock;
    this.ids = ids;
    this.audit = audit;
  }

  /** Creates a key for {@code userId}; the returned {@link IssuedKey#apiKey()} is never retrievable again. */
  public IssuedKey issue(String userId, String name, Long expiresAt) {
    String keyName = name == null || name.isBlank() ? "default" : name.strip();
    if (keyName.length() > MAX_NAME_LENGTH) {
      throw GenRtlException.invalid("name", "name must be at most " + MAX_NAME_LENGTH + " characters");
    }
    long now = clock.millis();
    if (expiresAt != null && expiresAt <= now) {
      throw GenRtlException.invalid("expires_at", "expires_at must be in the future");
    }
    return tx.inTransaction(() -> {
      User owner = AccountService.requireEnabled(
          accountStores.users().find(userId).orElseThrow(() -> GenRtlException.notFound("user")));
      String keyId = ids.newId();
      String secret = randomSecret();
      ApiKey key = new ApiKey(keyId, userId, keyName, hash(keyId, secret), now, expiresAt, null, null);
      accountStores.apiKeys().insert(key);
      java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
      d.put("user_id", userId);
      d.put("name", keyName);
      if (expiresAt != null) d.put("expires_at", java.time.Instant.ofEpochMilli(expiresAt).toString());
      audit.record(AccountAudit.KEY_CREATE, "api_key", keyId, owner.tenantId(), d);
      return new IssuedKey(key, PREFIX + keyId + "_" + secret);
    });
  }

  /**
   * Resolves a presented key to its principal, or throws {@link ErrorCode#UNAUTHENTICATED}. Unknown ids and wrong
   * secrets get the same answer; "revoked" and "expired" are only told to a caller who holds the real secret, and so
   * is {@link ErrorCode#ACCOUNT_DISABLED} for a key of a disabled user.
   */
  public Principal authenticate(String presented) {
    Parsed p = parse(presented).orElseThrow(() -> unauthenticated("malformed API key"));
    Optional<ApiKey> found = accountStores.apiKeys().find(p.keyId);
    byte[] expected = found.map(ApiKey::secretHash).orElse(DUMMY_HASH);
    boolean match = MessageDigest.isEqual(expected, hash(p.keyId, p.secret));
    if (found.isEmpty() || !match) {
      LOG.fine(() -> "API key " + p.keyId + (found.isEmpty() ? " not found" : " secret mismatch"));
      throw unauthenticated("invalid API key");
    }
    ApiKey key = found.get();
    long now = clock.millis();
    if (key.revokedAt() != null) throw unauthenticated("API key revoked");
    if (key.expiresAt() != null && now >= key.expiresAt()) throw unauthenticated("API key expired");
    User user = accountStores.users().find(key.userId()).orElseThrow(() -> {
      LOG.fine(() -> "API key " + p.keyId + ": its user " + key.userId() + " is missing");
      return unauthenticated("invalid API key");
    });
    AccountService.requireEnabled(user); // told only to a caller who holds the real secret
    accountStores.apiKeys().touchLastUsed(key.keyId(), now, LAST_USED_RESOLUTION_MS);
    return Principal.of(user, key.keyId());
  }

  /** The caller's own keys. */
  public Page<ApiKey> list(Principal principal, PageRequest page) {
    return accountStores.apiKeys().listForUser(principal.userId(), page);
  }

  /**
   * Revokes a key the principal may act on (their own; their tenant's for tenant admins; any for super admins).
   * Others' keys answer not found. Revoking an already revoked key is not an error.
   */
  public void revoke(Principal principal, String keyId) {
    tx.inTransaction(() -> {
      ApiKey key = accountStores.apiKeys().find(keyId).orElseThrow(() -> GenRtlException.notFound("key"));
      User owner = accountStores.users().find(key.userId()).orElseThrow(() -> GenRtlException.notFound("key"));
      if (!principal.canAccess(owner.userId(), owner.tenantId())) throw GenRtlException.notFound("key");
      if (accountStores.apiKeys().revoke(keyId, clock.millis())) {
        audit.record(AccountAudit.KEY_REVOKE, "api_key", keyId, owner.tenantId(),
            Map.of("user_id", owner.userId()));
      }
    });
  }

  private static GenRtlException unauthenticated(String message) {
    return new GenRtlException(ErrorCode.UNAUTHENTICATED, message, Map.of());
  }

  private record Parsed(String keyId, String secret) {}

  static Optional<Parsed> parse(String presented) {
    if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 200) return Optional.empty();
    String rest = presented.substring(PREFIX.length());
    int sep = rest.indexOf('_');
    if (sep <= 0 || sep != rest.lastIndexOf('_')) return Optional.empty();
    String keyId = rest.substring(0, sep);
    String secret = rest.substring(sep + 1);
    if (!isAlphanumeric(keyId) || secret.length() != SECRET_LENGTH || !isAlphanumeric(secret)) return Optional.empty();
    return Optional.of(new Parsed(keyId, secret));
  }

  private static boolean isAlphanumeric(String s) {
    if (s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
    }
    return true;
  }

  private static String randomSecret() {
    char[] out = new char[SECRET_LENGTH];
    for (int i = 0; i < out.length; i++) out[i] = BASE62[RANDOM.nextInt(BASE62.length)];
    return new String(out);
  }

  static byte[] hash(String keyId, String secret) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(keyId.getBytes(StandardCharsets.US_ASCII));
      d.update((byte) 0);
      d.update(secret.getBytes(StandardCharsets.US_ASCII));
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
