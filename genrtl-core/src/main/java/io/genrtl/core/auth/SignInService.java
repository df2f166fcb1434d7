package io.genrtl.core.auth;

import io.genrtl.core.base.Transactor;
import io.genrtl.core.account.AccountStores;
import io.genrtl.core.account.AccountService;
import io.genrtl.core.account.ApiKeyService;
import io.genrtl.core.account.IssuedKey;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.User;
import io.genrtl.core.base.DuplicateKeyException;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Sign-in: maps provider identities to users (a first login creates the user on the free plan with a tenant; the
 * same verified email from another provider joins the same user; an unverified email never does), sessions
 * (short-lived access token + refresh token, both stored hashed, rotated on refresh, revoked on logout), logins in
 * progress (state, nonce, PKCE verifier; single use, expiring), RFC 8628 device authorizations and RFC 8252
 * loopback codes, both of which end in an API key bound to the device. Every expiry is computed from the injected
 * clock.
 */
public final class SignInService {
  /** Access tokens look like {@code grs_<session id>_<secret>}, refresh tokens {@code grr_<session id>_<secret>}. */
  public static final String ACCESS_PREFIX = "grs_";
  public static final String REFRESH_PREFIX = "grr_";
  public static final int SECRET_LENGTH = 43;
  /** RFC 8628 section 6.1: consonants only (no vowels, so no words; no 0/O, 1/I confusion). */
  static final String USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
  public static final int USER_CODE_LENGTH = 8;
  public static final int MAX_PROVIDER_LENGTH = 64;
  public static final int MAX_SUBJECT_LENGTH = 255;
  /**
   * Refused attempts a device authorization takes before it expires: decisions on the verification page that name its
   * user code but are refused ({@link #refuseDeviceAttempt}), and token polls with its device code under another
   * client id. Guessing user codes that match no authorization is held back by the per-IP {@code auth} rate limit.
   */
  public static final int MAX_DEVICE_ATTEMPTS = 5;

  /** Lifetimes and the device flow's polling interval. */
  public record Settings(Duration accessTtl, Duration refreshTtl, Duration loginTtl, Duration deviceTtl,
      int deviceIntervalSeconds, Duration loopbackCodeTtl) {
    public Settings {
      Objects.requireNonNull(accessTtl, "accessTtl");
      Objects.requireNonNull(refreshTtl, "refreshTtl");
      Objects.requireNonNull(loginTtl, "loginTtl");
      Objects.requireNonNull(deviceTtl, "deviceTtl");
      Objects.requireNonNull(loopbackCodeTtl, "loopbackCodeTtl");
      if (deviceIntervalSeconds < 1) throw new IllegalArgumentException("deviceIntervalSeconds must be >= 1");
    }

    /** 15 min access, 30 days refresh, 10 min to finish a login or a device authorization, 5 s polls, 2 min codes. */
    public static Settings defaults() {
      return new Settings(Duration.ofMinutes(15), Duration.ofDays(30), Duration.ofMinutes(10), Duration.ofMinutes(10), 5,
          Duration.ofMinutes(2));
    }
  }

  private final Transactor tx;

  private final AccountStores accountStores;

  private final AuthStore authStore;
  private final Clock clock;
  private final IdGenerator ids;
  private final AccountService accounts;
  private final ApiKeyService keys;
  private final Settings settings;

  public SignInService(Transactor tx, AccountStores accountStores, AuthStore authStore, Clock clock, IdGenerator ids,
      AccountService accounts, ApiKeyService keys, Settings settings) {
    this.tx = tx;
    this.accountStores = accountStores;
    this.authStore = authStore;
    this.clock = clock;
    this.ids = ids;
    this.accounts = accounts;
    this.keys = keys;
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  // ------------------------------------------------------------------ identities

  /**
   * The user behind a provider identity. A known (provider, subject) is that user. Otherwise the identity must carry
   * a verified email: it joins the user with that email, or creates one (free plan, personal tenant). An unverified
   * or missing email is refused with {@code email_not_verified} and changes nothing; a disabled user is refused with
   * {@code account_disabled}.
   */
  public User signIn(ExternalIdentity ext) {
    String provider = checkProvider(ext.provider());
    String subject = ext.subject();
    if (subject.isBlank() || subject.length() > MAX_SUBJECT_LENGTH) {
      throw new GenRtlException(ErrorCode.SIGN_IN_FAILED, "the provider sent no usable subject", Map.of("reason", "subject"));
    }
    String email = ext.email() == null ? null : ext.email().strip().toLowerCase(Locale.ROOT);
    for (int attempt = 0; ; attempt++) {
      try {
        return tx.inTransaction(() -> signInOnce(provider, subject, email, ext.emailVerified()));
      } catch (DuplicateKeyException e) {
        if (attempt > 0) throw new GenRtlException(ErrorCode.CONFLICT, "sign-in raced with another; retry");
      } catch (GenRtlException e) {
        if (e.code() != ErrorCode.EMAIL_TAKEN || attempt > 0) throw e; // a concurrent first login created the user
      }
    }
  }

  private User signInOnce(String provider, String subject, String email, boolean verified) {
    Optional<Identity> known = authStore.findIdentity(provider, subject);
    if (known.isPresent()) {
      return AccountService.requireEnabled(accountStores.users().find(known.get().userId()).orElseThrow(() -> new GenRtlException(
          ErrorCode.SIGN_IN_FAILED, "the account linked to this identity no longer exists", Map.of("reason", "user"))));
    }
    if (email == null || email.isEmpty() || !verified) {
      throw new GenRtlException(ErrorCode.EMAIL_NOT_VERIFIED,
          "the provider did not report a verified email address; verify it there or sign in another way");
    }
    User user = accountStores.users().findByEmail(email).orElseGet(() -> {
      try {
        return accounts.createUser(NewUser.of(email)).user();
      } catch (GenRtlException e) {
        if (e.code() == ErrorCode.VALIDATION_FAILED) {
          throw new GenRtlException(ErrorCode.SIGN_IN_FAILED, "the provider sent an unusable email address",
              Map.of("reason", "email"));
        }
        throw e;
      }
    });
    AccountService.requireEnabled(user);
    authStore.insertIdentity(new Identity(provider, subject, user.userId(), email, clock.millis()));
    return user;
  }

  public java.util.List<Identity> identitiesOf(String userId) {
    return authStore.identitiesOf(userId);
  }

  // ------------------------------------------------------------------ sessions

  /** Starts a session for the user; {@code provider} records how they signed in. */
  public SessionTokens startSession(String userId, String provider) {
    long now = clock.millis();
    String id = ids.newId();
    String access = Secrets.random(SECRET_LENGTH);
    String refresh = Secrets.random(SECRET_LENGTH);
    long accessExp = now + settings.accessTtl().toMillis();
    long refreshExp = now + settings.refreshTtl().toMillis();
    tx.inTransaction(() -> {
      AccountService.requireEnabled(accountStores.users().find(userId).orElseThrow(() -> GenRtlException.notFound("user")));
      authStore.insertSession(new Session(id, userId, provider, Secrets.sha256Hex(id, access), accessExp,
          Secrets.sha256Hex(id, refresh), null, refreshExp, now, null));
    });
    return new SessionTokens(id, userId, ACCESS_PREFIX + id + "_" + access, accessExp, REFRESH_PREFIX + id + "_" + refresh,
        refreshExp);
  }

  /** Whether a presented bearer token has the shape of a session access token (so it is not an API key). */
  public static boolean isAccessToken(String token) {
    return token != null && token.startsWith(ACCESS_PREFIX);
  }

  /** Resolves a session access token, or throws {@code unauthenticated}. */
  public SessionPrincipal authenticate(String accessToken) {
    Parsed p = parse(accessToken, ACCESS_PREFIX).orElseThrow(() -> unauthenticated("malformed session token"));
    Session s = authStore.findSession(p.sessionId).orElse(null);
    if (s == null || !Secrets.equal(s.accessHash(), Secrets.sha256Hex(p.sessionId, p.secret))) {
      throw unauthenticated("invalid session token");
    }
    long now = clock.millis();
    if (s.revokedAt() != null) throw unauthenticated("session ended");
    if (now >= s.accessExpiresAt()) throw unauthenticated("session token expired; refresh it");
    User user = accountStores.users().find(s.userId()).orElseThrow(() -> unauthenticated("invalid session token"));
    AccountService.requireEnabled(user);
    return new SessionPrincipal(Principal.of(user, null), s.sessionId());
  }

  /**
   * Rotates a session: the refresh token is exchanged for a new access and refresh token; the old refresh token is
   * refused afterwards, and presenting it again ends the session (reuse means it leaked).
   */
  public SessionTokens refresh(String refreshToken) {
    Parsed p = parse(refreshToken, REFRESH_PREFIX).orElseThrow(() -> unauthenticated("malformed refresh token"));
    long now = clock.millis();
    String presented = Secrets.sha256Hex(p.sessionId, p.secret);
    Session s = authStore.findSession(p.sessionId).orElseThrow(() -> unauthenticated("invalid refresh token"));
    if (!Secrets.equal(s.refreshHash(), presented)) {
      if (Secrets.equal(s.previousRefreshHash(), presented)) {
        authStore.revokeSession(s.sessionId(), now);
        throw unauthenticated("refresh token already used; the session was ended");
      }
      throw unauthenticated("invalid refresh token");
    }
    if (s.revokedAt() != null) throw unauthenticated("session ended");
    if (now >= s.refreshExpiresAt()) throw unauthenticated("refresh token expired; sign in again");
    AccountService.requireEnabled(accountStores.users().find(s.userId()).orElseThrow(() -> unauthenticated("invalid refresh token")));
    String access = Secrets.random(SECRET_LENGTH);
    String refresh = Secrets.random(SECRET_LENGTH);
    long accessExp = now + settings.accessTtl().toMillis();
    long refreshExp = now + settings.refreshTtl().toMillis();
    boolean rotated = authStore.rotateSession(s.sessionId(), presented, Secrets.sha256Hex(s.sessionId(), access),
        accessExp, Secrets.sha256Hex(s.sessionId(), refresh), refreshExp);
    if (!rotated) throw unauthenticated("refresh token already used");
    return new SessionTokens(s.sessionId(), s.userId(), ACCESS_PREFIX + s.sessionId() + "_" + access, accessExp,
        REFRESH_PREFIX + s.sessionId() + "_" + refresh, refreshExp);
  }

  /** Ends a session (logout). Ending an ended session is not an error. */
  public void endSession(String sessionId) {
    authStore.revokeSession(sessionId, clock.millis());
  }

  // ------------------------------------------------------------------ logins in progress

  /**
   * Records a login about to be sent to a provider and returns its state, nonce and PKCE challenge. For a loopback
   * request the redirect must be a loopback URI and the client's challenge an S256 challenge.
   */
  public LoginStart beginLogin(LoginRequest req) {
    String provider = checkProvider(req.provider());
    if (req.loopbackRedirect() != null) {
      LoopbackUris.check(req.loopbackRedirect());
      if (!Secrets.isS256Challenge(req.clientChallenge())) {
        throw GenRtlException.invalid("code_challenge", "code_challenge must be an S256 challenge (43 base64url characters)");
      }
      checkClientId(req.clientId());
      if (req.clientState() != null && req.clientState().length() > 512) {
        throw GenRtlException.invalid("state", "state must be at most 512 characters");
      }
    } else if (req.clientChallenge() != null) {
      throw GenRtlException.invalid("redirect_uri", "code_challenge needs a loopback redirect_uri");
    }
    if (req.returnTo() != null && !isSameSitePath(req.returnTo())) {
      throw GenRtlException.invalid("return_to", "return_to must be a path on this site, such as /device");
    }
    String state = Secrets.random(SECRET_LENGTH);
    String nonce = Secrets.random(SECRET_LENGTH);
    String verifier = Secrets.random(64);
    long now = clock.millis();
    authStore.insertLoginState(new LoginState(Secrets.sha256Hex(state), provider, nonce, verifier, req.returnTo(),
        req.loopbackRedirect(), req.clientChallenge(), req.clientState(), req.clientId(), now,
        now + settings.loginTtl().toMillis()));
    return new LoginStart(state, nonce, Secrets.s256(verifier));
  }

  /**
   * Consumes the login a callback's {@code state} belongs to: unknown, already used, expired or for another
   * provider are all {@code sign_in_failed} (reason {@code state}).
   */
  public LoginState finishLogin(String provider, String state) {
    if (state == null || state.isEmpty() || state.length() > 200) throw stateFailure("missing or malformed state");
    LoginState s = authStore.takeLoginState(Secrets.sha256Hex(state))
        .orElseThrow(() -> stateFailure("unknown or already used state"));
    if (clock.millis() >= s.expiresAt()) throw stateFailure("the sign-in took too long; start again");
    if (!s.provider().equals(provider)) throw stateFailure("state belongs to another provider");
    return s;
  }

  private static GenRtlException stateFailure(String message) {
    return new GenRtlException(ErrorCode.SIGN_IN_FAILED, message, Map.of("reason", "state"));
  }

  // ------------------------------------------------------------------ device flow (RFC 8628)

  /** Starts a device authorization for {@code clientId}. */
  public DeviceStart startDevice(String clientId) {
    checkClientId(clientId);
    long now = clock.millis();
    for (int attempt = 0; ; attempt++) {
      String deviceCode = Secrets.random(SECRET_LENGTH);
      String userCode = Secrets.random(USER_CODE_LENGTH, USER_CODE_ALPHABET);
      try {
        authStore.insertDevice(new DeviceAuthorization(ids.newId(), Secrets.sha256Hex(deviceCode), userCode, clientId,
            DeviceStatus.PENDING, settings.deviceIntervalSeconds(), null, null, null, 0, now,
            now + settings.deviceTtl().toMillis()));
        return new DeviceStart(deviceCode, userCode, settings.deviceTtl().toSeconds(), settings.deviceIntervalSeconds());
      } catch (DuplicateKeyException e) {
        if (attempt >= 3) throw e; // an old, unpurged user code collided; a fresh one almost surely will not
      }
    }
  }

  /** Normalises what a user typed ({@code bcdf-ghjk}, spaces) to the stored form, or null when it cannot be one. */
  public static String normaliseUserCode(String typed) {
    if (typed == null || typed.length() > 32) return null;
    StringBuilder b = new StringBuilder();
    for (char c : typed.toUpperCase(Locale.ROOT).toCharArray()) {
      if (c == '-' || c == ' ') continue;
      if (USER_CODE_ALPHABET.indexOf(c) < 0) return null;
      b.append(c);
    }
    return b.length() == USER_CODE_LENGTH ? b.toString() : null;
  }

  /** {@code BCDFGHJK} shown as {@code BCDF-GHJK}. */
  public static String displayUserCode(String userCode) {
    return userCode.substring(0, 4) + "-" + userCode.substring(4);
  }

  /** A pending, unexpired device authorization by the code the user typed; otherwise not found. */
  public DeviceAuthorization pendingDevice(String typedUserCode) {
    String code = normaliseUserCode(typedUserCode);
    if (code == null) throw GenRtlException.notFound("device code");
    DeviceAuthorization d = authStore.findDeviceByUserCode(code).orElseThrow(() -> GenRtlException.notFound("device code"));
    if (d.status() != DeviceStatus.PENDING || clock.millis() >= d.expiresAt()) throw GenRtlException.notFound("device code");
    return d;
  }

  /**
   * A decision on the verification page naming {@code typedUserCode} was refused before it was made (not signed in,
   * from another site, a wrong CSRF token, neither approve nor deny): a pending authorization with that code counts
   * one failed attempt, and the {@value #MAX_DEVICE_ATTEMPTS}th expires it (the device then polls
   * {@code expired_token}). Returns whether the code named a pending authorization; a code naming none changes nothing.
   */
  public boolean refuseDeviceAttempt(String typedUserCode) {
    String code = normaliseUserCode(typedUserCode);
    if (code == null) return false;
    return tx.inTransaction(() -> authStore.findDeviceByUserCode(code)
        .map(d -> authStore.recordDeviceFailure(d.deviceId(), clock.millis(), MAX_DEVICE_ATTEMPTS)).orElse(false));
  }

  /** The signed-in user approves or denies the device showing {@code typedUserCode}. */
  public DeviceAuthorization decideDevice(Principal principal, String typedUserCode, boolean approve) {
    return tx.inTransaction(() -> {
      DeviceAuthorization d = pendingDevice(typedUserCode);
      DeviceStatus to = approve ? DeviceStatus.APPROVED : DeviceStatus.DENIED;
      if (!authStore.transitionDevice(d.deviceId(), DeviceStatus.PENDING, to, principal.userId(), null)) {
        throw GenRtlException.notFound("device code");
      }
      return authStore.findDeviceByCodeHash(d.deviceCodeHash()).orElseThrow();
    });
  }

  /**
   * One poll of the token endpoint with a device code. Pending: {@code authorization_pending}, or {@code slow_down}
   * (and the interval grows by 5 s) when polled sooner than the interval. Approved: one API key, named after the
   * device, is issued exactly once; every later poll is {@code invalid_grant}. A poll under another client id is
   * {@code invalid_grant} and counts a failed attempt on the authorization ({@link #MAX_DEVICE_ATTEMPTS}).
   */
  public DevicePoll pollDevice(String deviceCode, String clientId) {
    int interval = settings.deviceIntervalSeconds();
    if (deviceCode == null || deviceCode.isEmpty() || deviceCode.length() > 200) {
      return DevicePoll.error(DevicePoll.INVALID_GRANT, interval);
    }
    String hash = Secrets.sha256Hex(deviceCode);
    try {
      return tx.inTransaction(() -> {
        long now = clock.millis();
        DeviceAuthorization d = authStore.findDeviceByCodeHash(hash).orElse(null);
        if (d == null || d.status() == DeviceStatus.CONSUMED) return DevicePoll.error(DevicePoll.INVALID_GRANT, interval);
        if (!d.clientId().equals(clientId)) { // the device code under another client: a failed attempt on it
          authStore.recordDeviceFailure(d.deviceId(), now, MAX_DEVICE_ATTEMPTS);
          return DevicePoll.error(DevicePoll.INVALID_GRANT, interval);
        }
        if (d.status() == DeviceStatus.DENIED) return DevicePoll.error(DevicePoll.ACCESS_DENIED, d.intervalSeconds());
        if (now >= d.expiresAt()) return DevicePoll.error(DevicePoll.EXPIRED_TOKEN, d.intervalSeconds());
        if (d.status() == DeviceStatus.PENDING) {
          boolean tooSoon = d.lastPolledAt() != null && now - d.lastPolledAt() < d.intervalSeconds() * 1000L;
          int next = tooSoon ? d.intervalSeconds() + 5 : d.intervalSeconds();
          authStore.recordDevicePoll(d.deviceId(), now, next);
          return DevicePoll.error(tooSoon ? DevicePoll.SLOW_DOWN : DevicePoll.AUTHORIZATION_PENDING, next);
        }
        IssuedKey key = keys.issue(d.userId(), "device: " + d.clientId() + " (device sign-in)", null);
        if (!authStore.transitionDevice(d.deviceId(), DeviceStatus.APPROVED, DeviceStatus.CONSUMED, d.userId(),
            key.key().keyId())) {
          throw new LostRace();
        }
        return new DevicePoll(null, d.intervalSeconds(), key);
      });
    } catch (LostRace e) {
      return DevicePoll.error(DevicePoll.INVALID_GRANT, interval);
    }
  }

  /** Thrown inside a transaction to roll back a key whose grant another poll consumed first. */
  private static final class LostRace extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LostRace() {
      super(null, null, false, false);
    }
  }

  // ------------------------------------------------------------------ loopback redirect (RFC 8252)

  /** After a loopback login succeeded: a one-time code for the app, bound to its redirect and PKCE challenge. */
  public String issueLoopbackCode(String userId, LoginState login) {
    if (!login.isLoopback()) throw new IllegalArgumentException("not a loopback login");
    String code = Secrets.random(SECRET_LENGTH);
    long now = clock.millis();
    authStore.insertLoopbackCode(new LoopbackCode(Secrets.sha256Hex(code), userId, login.clientId(),
        login.loopbackRedirect(), login.clientChallenge(), now, now + settings.loopbackCodeTtl().toMillis()));
    return code;
  }

  /**
   * Redeems a loopback code with the app's PKCE verifier (and the same redirect URI and client id) for an API key
   * named after the app. Any mismatch, reuse or expiry is {@code invalid_grant}: the code is gone either way.
   */
  public Optional<IssuedKey> redeemLoopbackCode(String code, String codeVerifier, String redirectUri, String clientId) {
    if (code == null || code.isEmpty() || code.length() > 200) return Optional.empty();
    return tx.inTransaction(() -> {
      LoopbackCode c = authStore.takeLoopbackCode(Secrets.sha256Hex(code)).orElse(null);
      if (c == null || clock.millis() >= c.expiresAt()) return Optional.<IssuedKey>empty();
      if (!Secrets.isCodeVerifier(codeVerifier) || !Secrets.equal(c.codeChallenge(), Secrets.s256(codeVerifier))) {
        return Optional.<IssuedKey>empty();
      }
      if (!c.redirectUri().equals(redirectUri) || !c.clientId().equals(clientId)) return Optional.<IssuedKey>empty();
      return Optional.of(keys.issue(c.userId(), "device: " + c.clientId() + " (loopback sign-in)", null));
    });
  }

  /** Deletes expired logins, codes and device authorizations. */
  public int purgeExpired() {
    return authStore.purgeExpired(clock.millis());
  }

  // ------------------------------------------------------------------ helpers

  /** A client id is a label the app chooses: 1-64 characters of {@code [A-Za-z0-9._-]}. */
  public static void checkClientId(String clientId) {
    if (clientId == null || !clientId.matches("[A-Za-z0-9._-]{1,64}")) {
      throw GenRtlException.invalid("client_id", "client_id must be 1-64 characters of letters, digits, '.', '_' or '-'");
    }
  }

  private static String checkProvider(String provider) {
    if (provider == null || provider.isEmpty() || provider.length() > MAX_PROVIDER_LENGTH) {
      throw GenRtlException.invalid("provider", "provider must be 1-" + MAX_PROVIDER_LENGTH + " characters");
    }
    return provider;
  }

  /** A path on this site: starts with one '/', no scheme, no backslash, no control characters. */
  static boolean isSameSitePath(String p) {
    if (p.length() > 512 || !p.startsWith("/") || p.startsWith("//") || p.contains("\\")) return false;
    for (int i = 0; i < p.length(); i++) if (Character.isISOControl(p.charAt(i))) return false;
    return true;
  }

  private static GenRtlException unauthenticated(String message) {
    return new GenRtlException(ErrorCode.UNAUTHENTICATED, message, Map.of());
  }

  private record Parsed(String sessionId, String secret) {}

  private static Optional<Parsed> parse(String token, String prefix) {
    if (token == null || !token.startsWith(prefix) || token.length() > 200) return Optional.empty();
    String rest = token.substring(prefix.length());
    int sep = rest.indexOf('_');
    if (sep <= 0 || sep != rest.lastIndexOf('_')) return Optional.empty();
    String id = rest.substring(0, sep);
    String secret = rest.substring(sep + 1);
    if (!id.matches("[0-9A-Za-z]{1,40}") || secret.length() != SECRET_LENGTH || !secret.matches("[0-9A-Za-z]+")) {
      return Optional.empty();
    }
    return Optional.of(new Parsed(id, secret));
  }
}
