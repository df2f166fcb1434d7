package io.genrtl.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.IssuedKey;
import io.genrtl.core.account.Me;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.User;
import io.genrtl.core.auth.DeviceAuthorization;
import io.genrtl.core.auth.DevicePoll;
import io.genrtl.core.auth.DeviceStart;
import io.genrtl.core.auth.DeviceStatus;
import io.genrtl.core.auth.ExternalIdentity;
import io.genrtl.core.auth.LoginRequest;
import io.genrtl.core.auth.LoginStart;
import io.genrtl.core.auth.LoginState;
import io.genrtl.core.auth.Secrets;
import io.genrtl.core.auth.SessionPrincipal;
import io.genrtl.core.auth.SessionTokens;
import io.genrtl.core.auth.SignInService;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.PageRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sign-in contract ({@link SignInService} over an {@code AuthStore}): every adapter (in-memory, SQLite,
 * PostgreSQL) must pass it unchanged. Time only moves through the {@link MutableClock}.
 */
public abstract class AuthContractTest {
  protected MutableClock clock;
  protected Stores stores;
  protected GenRtl genrtl;
  protected SignInService signIn;

  protected abstract Stores createStores();

  protected void closeStores(Stores stores) {}

  @BeforeEach
  void setUpAuth() {
    clock = MutableClock.at("2026-06-01T09:00:00Z");
    stores = createStores();
    genrtl = GenRtl.builder().stores(stores).clock(clock).build();
    signIn = genrtl.signIn();
  }

  @AfterEach
  void tearDownAuth() {
    closeStores(stores);
  }

  private static ExternalIdentity google(String sub, String email, boolean verified) {
    return new ExternalIdentity("google", sub, email, verified);
  }

  // ------------------------------------------------------------------ identities

  @Test
  void firstLoginCreatesAFreeUserWithATenantAndLinksTheIdentity() {
    User u = signIn.signIn(google("g-1", "Ann@Example.com", true));
    assertThat(u.email()).isEqualTo("ann@example.com");
    Me me = genrtl.accounts().me(Principal.of(u, null));
    assertThat(me.plan().isFree()).isTrue();
    assertThat(me.subscription()).isEmpty();
    assertThat(me.tenant().name()).isEqualTo("ann@example.com");
    assertThat(signIn.identitiesOf(u.userId())).singleElement()
        .satisfies(i -> assertThat(i.provider() + "/" + i.subject()).isEqualTo("google/g-1"));
    // the second login finds the same user through the identity
    assertThat(signIn.signIn(google("g-1", "ann@example.com", true))).isEqualTo(u);
    assertThat(signIn.identitiesOf(u.userId())).hasSize(1);
  }

  @Test
  void theSameVerifiedEmailAcrossProvidersJoinsOneUser() {
    User viaGoogle = signIn.signIn(google("g-1", "ann@example.com", true));
    User viaGithub = signIn.signIn(new ExternalIdentity("github", "12345", "ANN@example.com", true));
    assertThat(viaGithub.userId()).isEqualTo(viaGoogle.userId());
    assertThat(signIn.identitiesOf(viaGoogle.userId())).extracting(i -> i.provider()).containsExactly("github", "google");
    // an existing account made by an admin is joined too
    User made = genrtl.accounts().createUser(NewUser.of("bob@example.com")).user();
    assertThat(signIn.signIn(new ExternalIdentity("facebook", "fb-9", "bob@example.com", true))).isEqualTo(made);
  }

  @Test
  void anUnverifiedEmailNeverJoinsNorCreatesAUser() {
    User ann = signIn.signIn(google("g-1", "ann@example.com", true));
    assertThatThrownBy(() -> signIn.signIn(new ExternalIdentity("github", "777", "ann@example.com", false)))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EMAIL_NOT_VERIFIED));
    assertThat(stores.auth().findIdentity("github", "777")).isEmpty();
    assertThat(signIn.identitiesOf(ann.userId())).hasSize(1);
    assertThatThrownBy(() -> signIn.signIn(new ExternalIdentity("github", "778", "new@example.com", false)))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EMAIL_NOT_VERIFIED));
    assertThatThrownBy(() -> signIn.signIn(new ExternalIdentity("github", "779", null, true)))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EMAIL_NOT_VERIFIED));
    assertThat(stores.accounts().users().findByEmail("new@example.com")).isEmpty();
    // a linked identity keeps working even if its email is no longer reported verified
    assertThat(signIn.signIn(google("g-1", "other@example.com", false))).isEqualTo(ann);
  }

  @Test
  void concurrentFirstLoginsOfOneEmailMakeOneUser() throws Exception {
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String provider = "p" + i;
      results.add(pool.submit(() -> {
        go.await();
        return signIn.signIn(new ExternalIdentity(provider, "s", "race@example.com", true)).userId();
      }));
    }
    go.countDown();
    List<String> ids = new ArrayList<>();
    for (Future<String> f : results) {
      try {
        ids.add(f.get(60, TimeUnit.SECONDS));
      } catch (java.util.concurrent.ExecutionException e) {
        // a loser of a double race may be told to retry; it must never have made a second user
        assertThat(e.getCause()).isInstanceOf(GenRtlException.class);
      }
    }
    pool.shutdownNow();
    assertThat(ids).isNotEmpty();
    assertThat(ids.stream().distinct()).hasSize(1);
    assertThat(stores.accounts().users().findByEmail("race@example.com")).isPresent();
    assertThat(signIn.identitiesOf(ids.get(0))).hasSize(ids.size());
  }

  // ------------------------------------------------------------------ sessions

  @Test
  void sessionsAuthenticateAndExpireByTheClock() {
    User u = signIn.signIn(google("g-1", "ann@example.com", true));
    SessionTokens t = signIn.startSession(u.userId(), "google");
    assertThat(t.accessToken()).startsWith("grs_");
    assertThat(t.refreshToken()).startsWith("grr_");
    SessionPrincipal p = signIn.authenticate(t.accessToken());
    assertThat(p.principal().userId()).isEqualTo(u.userId());
    assertThat(p.principal().keyId()).isNull();
    assertThat(p.sessionId()).isEqualTo(t.sessionId());
    // stored hashed: neither token appears in the row
    var row = stores.auth().findSession(t.sessionId()).orElseThrow();
    assertThat(row.accessHash()).doesNotContain(t.accessToken().substring(30)).hasSize(64);
    assertThat(row.refreshHash()).hasSize(64);

    assertUnauthenticated(() -> signIn.authenticate(t.accessToken().substring(0, t.accessToken().length() - 1) + "x"));
    assertUnauthenticated(() -> signIn.authenticate("grs_nope"));
    clock.advance(signIn.settings().accessTtl().minusSeconds(1));
    signIn.authenticate(t.accessToken());
    clock.advance(Duration.ofSeconds(1));
    assertUnauthenticated(() -> signIn.authenticate(t.accessToken()));
  }

  @Test
  void refreshRotatesAndTheOldRefreshTokenIsRefusedAndEndsTheSession() {
    User u = signIn.signIn(google("g-1", "ann@example.com", true));
    SessionTokens first = signIn.startSession(u.userId(), "google");
    clock.advance(Duration.ofMinutes(20)); // the access token has expired
    assertUnauthenticated(() -> signIn.authenticate(first.accessToken()));
    SessionTokens second = signIn.refresh(first.refreshToken());
    assertThat(second.sessionId()).isEqualTo(first.sessionId());
    assertThat(second.accessToken()).isNotEqualTo(first.accessToken());
    assertThat(second.refreshToken()).isNotEqualTo(first.refreshToken());
    assertThat(signIn.authenticate(second.accessToken()).principal().userId()).isEqualTo(u.userId());
    // reusing the rotated-out refresh token is refused, and ends the session (the token leaked)
    assertUnauthenticated(() -> signIn.refresh(first.refreshToken()));
    assertUnauthenticated(() -> signIn.authenticate(second.accessToken()));
    assertUnauthenticated(() -> signIn.refresh(second.refreshToken()));
  }

  @Test
  void refreshTokensExpireAndLogoutEndsTheSession() {
    User u = signIn.signIn(google("g-1", "ann@example.com", true));
    SessionTokens t = signIn.startSession(u.userId(), "google");
    clock.advance(signIn.settings().refreshTtl());
    assertUnauthenticated(() -> signIn.refresh(t.refreshToken()));

    SessionTokens s = signIn.startSession(u.userId(), "google");
    signIn.endSession(s.sessionId());
    signIn.endSession(s.sessionId()); // twice is fine
    assertUnauthenticated(() -> signIn.authenticate(s.accessToken()));
    assertUnauthenticated(() -> signIn.refresh(s.refreshToken()));
    assertUnauthenticated(() -> signIn.refresh("grr_bad"));
    assertUnauthenticated(() -> signIn.refresh(s.accessToken()));
  }

  @Test
  void concurrentRefreshesOfOneTokenRotateOnce() throws Exception {
    User u = signIn.signIn(google("g-1", "ann@example.com", true));
    SessionTokens t = signIn.startSession(u.userId(), "google");
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      results.add(pool.submit(() -> {
        go.await();
        try {
          signIn.refresh(t.refreshToken());
          return true;
        } catch (GenRtlException e) {
          return false;
        }
      }));
    }
    go.countDown();
    int ok = 0;
    for (Future<Boolean> f : results) if (f.get(60, TimeUnit.SECONDS)) ok++;
    pool.shutdownNow();
    assertThat(ok).isEqualTo(1);
  }

  // ------------------------------------------------------------------ logins in progress

  @Test
  void loginStatesAreSingleUseExpireAndBelongToOneProvider() {
    LoginStart a = signIn.beginLogin(LoginRequest.browser("google", "/device"));
    assertThat(a.codeChallenge()).hasSize(43);
    LoginState s = signIn.finishLogin("google", a.state());
    assertThat(s.nonce()).isEqualTo(a.nonce());
    assertThat(Secrets.s256(s.codeVerifier())).isEqualTo(a.codeChallenge());
    assertThat(s.returnTo()).isEqualTo("/device");
    assertSignInFailed(() -> signIn.finishLogin("google", a.state())); // reused

    LoginStart b = signIn.beginLogin(LoginRequest.browser("google", null));
    assertSignInFailed(() -> signIn.finishLogin("github", b.state())); // another provider; and now consumed
    assertSignInFailed(() -> signIn.finishLogin("google", b.state()));

    LoginStart c = signIn.beginLogin(LoginRequest.browser("google", null));
    clock.advance(signIn.settings().loginTtl());
    assertSignInFailed(() -> signIn.finishLogin("google", c.state()));
    assertSignInFailed(() -> signIn.finishLogin("google", null));
    assertSignInFailed(() -> signIn.finishLogin("google", "x".repeat(500)));
    assertSignInFailed(() -> signIn.finishLogin("google", "unknown"));
  }

  @Test
  void loginRequestsAreValidated() {
    assertInvalid(() -> signIn.beginLogin(LoginRequest.browser("google", "https://evil.example/")), "return_to");
    assertInvalid(() -> signIn.beginLogin(LoginRequest.browser("google", "//evil.example/")), "return_to");
    String challenge = Secrets.s256(Secrets.random(50));
    assertInvalid(() -> signIn.beginLogin(new LoginRequest("google", null, "https://127.0.0.1:8000/cb", challenge, null, "cli")),
        "redirect_uri");
    assertInvalid(() -> signIn.beginLogin(new LoginRequest("google", null, "http://evil.example:8000/cb", challenge, null, "cli")),
        "redirect_uri");
    assertInvalid(() -> signIn.beginLogin(new LoginRequest("google", null, "http://127.0.0.1.evil.example/cb", challenge, null, "cli")),
        "redirect_uri");
    assertInvalid(() -> signIn.beginLogin(new LoginRequest("google", null, "http://user@127.0.0.1:9/cb", challenge, null, "cli")),
        "redirect_uri");
    assertInvalid(() -> signIn.beginLogin(new LoginRequest("google", null, "http://127.0.0.1:9/cb", "plain", null, "cli")),
        "code_challenge");
    assertInvalid(() -> signIn.beginLogin(new LoginRequest("google", null, null, challenge, null, "cli")), "redirect_uri");
    assertInvalid(() -> signIn.beginLogin(new LoginRequest("google", null, "http://127.0.0.1:9/cb", challenge, null, "a b")),
        "client_id");
    for (String ok : List.of("http://127.0.0.1:49152/callback", "http://[::1]:8080/cb", "http://localhost:1/")) {
      assertThat(signIn.beginLogin(new LoginRequest("google", null, ok, challenge, "st", "cli")).state()).isNotBlank();
    }
  }

  @Test
  void concurrentCallbacksWithOneStateConsumeItOnce() throws Exception {
    LoginStart a = signIn.beginLogin(LoginRequest.browser("google", null));
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      results.add(pool.submit(() -> {
        go.await();
        try {
          signIn.finishLogin("google", a.state());
          return true;
        } catch (GenRtlException e) {
          return false;
        }
      }));
    }
    go.countDown();
    int ok = 0;
    for (Future<Boolean> f : results) if (f.get(60, TimeUnit.SECONDS)) ok++;
    pool.shutdownNow();
    assertThat(ok).isEqualTo(1);
  }

  // ------------------------------------------------------------------ device flow

  @Test
  void deviceFlowPendingSlowDownApprovedIssuesOneKey() {
    User u = signIn.signIn(google("g-1", "ann@example.com", true));
    DeviceStart d = signIn.startDevice("genrtl-vscode");
    assertThat(d.userCode()).matches("[BCDFGHJKLMNPQRSTVWXZ]{8}");
    assertThat(d.intervalSeconds()).isEqualTo(5);
    assertThat(d.expiresInSeconds()).isEqualTo(600);
    assertThat(stores.auth().findDeviceByUserCode(d.userCode()).orElseThrow().deviceCodeHash())
        .isEqualTo(Secrets.sha256Hex(d.deviceCode())).isNotEqualTo(d.deviceCode());

    assertThat(signIn.pollDevice(d.deviceCode(), "genrtl-vscode").error()).isEqualTo(DevicePoll.AUTHORIZATION_PENDING);
    clock.advance(Duration.ofSeconds(2));
    DevicePoll slow = signIn.pollDevice(d.deviceCode(), "genrtl-vscode");
    assertThat(slow.error()).isEqualTo(DevicePoll.SLOW_DOWN);
    assertThat(slow.intervalSeconds()).isEqualTo(10);
    clock.advance(Duration.ofSeconds(9)); // still sooner than the raised interval
    assertThat(signIn.pollDevice(d.deviceCode(), "genrtl-vscode").error()).isEqualTo(DevicePoll.SLOW_DOWN);
    clock.advance(Duration.ofSeconds(15));
    assertThat(signIn.pollDevice(d.deviceCode(), "genrtl-vscode").error()).isEqualTo(DevicePoll.AUTHORIZATION_PENDING);
    // another client id never gets it
    assertThat(signIn.pollDevice(d.deviceCode(), "other").error()).isEqualTo(DevicePoll.INVALID_GRANT);

    String typed = SignInService.displayUserCode(d.userCode()).toLowerCase();
    assertThat(signIn.pendingDevice(typed).clientId()).isEqualTo("genrtl-vscode");
    DeviceAuthorization approved = signIn.decideDevice(Principal.of(u, null), typed, true);
    assertThat(approved.status()).isEqualTo(DeviceStatus.APPROVED);
    assertThat(approved.userId()).isEqualTo(u.userId());
    assertThatThrownBy(() -> signIn.decideDevice(Principal.of(u, null), typed, false))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));

    clock.advance(Duration.ofSeconds(30));
    DevicePoll issued = signIn.pollDevice(d.deviceCode(), "genrtl-vscode");
    assertThat(issued.issued()).isTrue();
    IssuedKey key = issued.key();
    assertThat(key.key().name()).isEqualTo("device: genrtl-vscode (device sign-in)");
    assertThat(genrtl.apiKeys().authenticate(key.apiKey()).userId()).isEqualTo(u.userId());
    assertThat(genrtl.apiKeys().list(Principal.of(u, null), PageRequest.first(10)).items())
        .extracting(k -> k.keyId()).contains(key.key().keyId());
    assertThat(stores.auth().findDeviceByUserCode(d.userCode()).orElseThrow().keyId()).isEqualTo(key.key().keyId());

    clock.advance(Duration.ofSeconds(30));
    assertThat(signIn.pollDevice(d.deviceCode(), "genrtl-vscode").error()).isEqualTo(DevicePoll.INVALID_GRANT);
    assertThat(genrtl.apiKeys().list(Principal.of(u, null), PageRequest.first(10)).items()).hasSize(1);
  }

  @Test
  void deviceFlowDeniedExpiredAndUnknown() {
    User u = signIn.signIn(google("g-1", "ann@example.com", true));
    DeviceStart denied = signIn.startDevice("cli");
    signIn.decideDevice(Principal.of(u, null), denied.userCode(), false);
    assertThat(signIn.pollDevice(denied.deviceCode(), "cli").error()).isEqualTo(DevicePoll.ACCESS_DENIED);

    DeviceStart late = signIn.startDevice("cli");
    clock.advance(signIn.settings().deviceTtl());
    assertThat(signIn.pollDevice(late.deviceCode(), "cli").error()).isEqualTo(DevicePoll.EXPIRED_TOKEN);
    assertThatThrownBy(() -> signIn.decideDevice(Principal.of(u, null), late.userCode(), true))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    DeviceStart lateApproved = signIn.startDevice("cli");
    signIn.decideDevice(Principal.of(u, null), lateApproved.userCode(), true);
    clock.advance(signIn.settings().deviceTtl());
    assertThat(signIn.pollDevice(lateApproved.deviceCode(), "cli").error()).isEqualTo(DevicePoll.EXPIRED_TOKEN);

    assertThat(signIn.pollDevice("nope", "cli").error()).isEqualTo(DevicePoll.INVALID_GRANT);
    assertThat(signIn.pollDevice(null, "cli").error()).isEqualTo(DevicePoll.INVALID_GRANT);
    assertThat(signIn.pollDevice("x".repeat(1000), "cli").error()).isEqualTo(DevicePoll.INVALID_GRANT);
    assertThat(SignInService.normaliseUserCode("AAAA-AAAA")).isNull(); // vowels are never in a code
    assertThat(SignInService.normaliseUserCode("bcd")).isNull();
    assertThatThrownBy(() -> signIn.startDevice("bad id"))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED));

    assertThat(signIn.purgeExpired()).isEqualTo(3);
    assertThat(stores.auth().findDeviceByUserCode(late.userCode())).isEmpty();
  }

  /** Issue "Security findings from a hostile review", Low: refused attempts per device code are capped. */
  @Test
  void low_deviceCodeAttemptCap() {
    User u = signIn.signIn(google("g-1", "ann@example.com", true));
    DeviceStart d = signIn.startDevice("cli");
    String typed = SignInService.displayUserCode(d.userCode()).toLowerCase();
    for (int i = 1; i < SignInService.MAX_DEVICE_ATTEMPTS; i++) {
      assertThat(signIn.refuseDeviceAttempt(typed)).isTrue();
      assertThat(stores.auth().findDeviceByUserCode(d.userCode()).orElseThrow().failedAttempts()).isEqualTo(i);
      assertThat(signIn.pendingDevice(typed).deviceId()).isNotNull(); // still usable below the cap
    }
    assertThat(signIn.pollDevice(d.deviceCode(), "cli").error()).isEqualTo(DevicePoll.AUTHORIZATION_PENDING);
    assertThat(signIn.refuseDeviceAttempt(typed)).isTrue(); // the 5th: expired at once
    assertThat(stores.auth().findDeviceByUserCode(d.userCode()).orElseThrow().expiresAt()).isEqualTo(clock.millis());
    assertThatThrownBy(() -> signIn.decideDevice(Principal.of(u, null), typed, true))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    clock.advance(Duration.ofSeconds(30));
    assertThat(signIn.pollDevice(d.deviceCode(), "cli").error()).isEqualTo(DevicePoll.EXPIRED_TOKEN);
    assertThat(signIn.refuseDeviceAttempt(typed)).as("nothing left to count").isFalse();
    assertThat(stores.auth().findDeviceByUserCode(d.userCode()).orElseThrow().failedAttempts())
        .isEqualTo(SignInService.MAX_DEVICE_ATTEMPTS);

    // polls under another client id count on the same cap
    DeviceStart p = signIn.startDevice("cli");
    for (int i = 0; i < SignInService.MAX_DEVICE_ATTEMPTS; i++) {
      assertThat(signIn.pollDevice(p.deviceCode(), "other").error()).isEqualTo(DevicePoll.INVALID_GRANT);
    }
    assertThat(signIn.pollDevice(p.deviceCode(), "cli").error()).isEqualTo(DevicePoll.EXPIRED_TOKEN);

    // a code that names no authorization, or a decided one, changes nothing
    DeviceStart ok = signIn.startDevice("cli");
    assertThat(signIn.refuseDeviceAttempt("BBBB-BBBB")).isFalse();
    assertThat(signIn.refuseDeviceAttempt("not a code")).isFalse();
    assertThat(signIn.refuseDeviceAttempt(null)).isFalse();
    signIn.decideDevice(Principal.of(u, null), ok.userCode(), true);
    assertThat(signIn.refuseDeviceAttempt(ok.userCode())).isFalse();
    assertThat(stores.auth().findDeviceByUserCode(ok.userCode()).orElseThrow().failedAttempts()).isZero();
    assertThat(signIn.pollDevice(ok.deviceCode(), "cli").issued()).isTrue();
  }

  @Test
  void recordDeviceFailureIsConditionalAndExpiresAtTheCap() {
    DeviceStart d = signIn.startDevice("cli");
    DeviceAuthorization a = stores.auth().findDeviceByUserCode(d.userCode()).orElseThrow();
    long now = clock.millis();
    assertThat(stores.auth().recordDeviceFailure(a.deviceId(), now, 2)).isTrue();
    assertThat(stores.auth().findDeviceByUserCode(d.userCode()).orElseThrow().expiresAt()).isEqualTo(a.expiresAt());
    assertThat(stores.auth().recordDeviceFailure(a.deviceId(), now, 2)).isTrue();
    DeviceAuthorization capped = stores.auth().findDeviceByUserCode(d.userCode()).orElseThrow();
    assertThat(capped.failedAttempts()).isEqualTo(2);
    assertThat(capped.expiresAt()).isEqualTo(now);
    assertThat(capped.status()).isEqualTo(DeviceStatus.PENDING);
    assertThat(stores.auth().recordDeviceFailure(a.deviceId(), now, 2)).isFalse(); // expired: not counted
    assertThat(stores.auth().recordDeviceFailure("01ARZ3NDEKTSV4RRFFQ69G5FAV", now, 2)).isFalse();
    assertThat(stores.auth().findDeviceByUserCode(d.userCode()).orElseThrow().failedAttempts()).isEqualTo(2);
  }

  @Test
  void concurrentPollsOfAnApprovedDeviceIssueExactlyOneKey() throws Exception {
    User u = signIn.signIn(google("g-1", "ann@example.com", true));
    DeviceStart d = signIn.startDevice("cli");
    signIn.decideDevice(Principal.of(u, null), d.userCode(), true);
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<DevicePoll>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      results.add(pool.submit(() -> {
        go.await();
        return signIn.pollDevice(d.deviceCode(), "cli");
      }));
    }
    go.countDown();
    int issued = 0;
    for (Future<DevicePoll> f : results) {
      DevicePoll p = f.get(60, TimeUnit.SECONDS);
      if (p.issued()) issued++;
      else assertThat(p.error()).isEqualTo(DevicePoll.INVALID_GRANT);
    }
    pool.shutdownNow();
    assertThat(issued).isEqualTo(1);
    assertThat(genrtl.apiKeys().list(Principal.of(u, null), PageRequest.first(10)).items()).hasSize(1);
  }

  // ------------------------------------------------------------------ loopback codes

  @Test
  void loopbackCodesNeedTheVerifierRedirectAndClientAndWorkOnce() {
    User u = signIn.signIn(google("g-1", "ann@example.com", true));
    String verifier = Secrets.random(64);
    String redirect = "http://127.0.0.1:53682/callback";
    LoginStart start = signIn.beginLogin(new LoginRequest("google", null, redirect, Secrets.s256(verifier), "app-state", "cli"));
    LoginState login = signIn.finishLogin("google", start.state());
    assertThat(login.isLoopback()).isTrue();
    assertThat(login.clientState()).isEqualTo("app-state");

    String code = signIn.issueLoopbackCode(u.userId(), login);
    assertThat(signIn.redeemLoopbackCode(code, Secrets.random(64), redirect, "cli")).isEmpty(); // wrong verifier burns it
    assertThat(signIn.redeemLoopbackCode(code, verifier, redirect, "cli")).isEmpty();

    String c2 = signIn.issueLoopbackCode(u.userId(), login);
    assertThat(signIn.redeemLoopbackCode(c2, verifier, "http://127.0.0.1:1/other", "cli")).isEmpty();
    String c3 = signIn.issueLoopbackCode(u.userId(), login);
    assertThat(signIn.redeemLoopbackCode(c3, null, redirect, "cli")).isEmpty();
    String c4 = signIn.issueLoopbackCode(u.userId(), login);
    clock.advance(signIn.settings().loopbackCodeTtl());
    assertThat(signIn.redeemLoopbackCode(c4, verifier, redirect, "cli")).isEmpty();

    String c5 = signIn.issueLoopbackCode(u.userId(), login);
    Optional<IssuedKey> key = signIn.redeemLoopbackCode(c5, verifier, redirect, "cli");
    assertThat(key).isPresent();
    assertThat(key.get().key().name()).isEqualTo("device: cli (loopback sign-in)");
    assertThat(genrtl.apiKeys().authenticate(key.get().apiKey()).userId()).isEqualTo(u.userId());
    assertThat(signIn.redeemLoopbackCode(c5, verifier, redirect, "cli")).isEmpty();
  }

  // ------------------------------------------------------------------ disabled users

  /**
   * Low finding: a departed member could not be cut off in one step. Disabling refuses at once every credential of the
   * user (API keys, device- and loopback-issued keys, session access and refresh tokens) and every new sign-in, with
   * 401 {@code account_disabled}; enabling gives them back. Other users are untouched.
   */
  @Test
  void low_disabledUsersKeysAreRefused() {
    User u = signIn.signIn(google("g-1", "ann@example.com", true));
    User other = signIn.signIn(google("g-2", "bob@example.com", true));
    String apiKey = genrtl.apiKeys().issue(u.userId(), "laptop", null).apiKey();
    String otherKey = genrtl.apiKeys().issue(other.userId(), "laptop", null).apiKey();
    SessionTokens session = signIn.startSession(u.userId(), "google");
    // a device-flow key
    DeviceStart d = signIn.startDevice("genrtl-vscode");
    signIn.decideDevice(Principal.of(u, null), d.userCode(), true);
    IssuedKey deviceKey = signIn.pollDevice(d.deviceCode(), "genrtl-vscode").key();
    // a loopback key, and a loopback code still to redeem
    String verifier = Secrets.random(64);
    String redirect = "http://127.0.0.1:53682/callback";
    LoginState login = signIn.finishLogin("google",
        signIn.beginLogin(new LoginRequest("google", null, redirect, Secrets.s256(verifier), null, "cli")).state());
    IssuedKey loopbackKey = signIn.redeemLoopbackCode(signIn.issueLoopbackCode(u.userId(), login), verifier, redirect, "cli")
        .orElseThrow();
    String pendingCode = signIn.issueLoopbackCode(u.userId(), login);
    assertThat(genrtl.apiKeys().authenticate(apiKey).userId()).isEqualTo(u.userId());

    User disabled = genrtl.accounts().disableUser(u.userId(), "left the company");
    assertThat(disabled.disabled()).isTrue();
    assertThat(stores.accounts().users().find(u.userId()).orElseThrow().disabledAt()).isEqualTo(clock.millis());

    assertDisabled(() -> genrtl.apiKeys().authenticate(apiKey));
    assertDisabled(() -> genrtl.apiKeys().authenticate(deviceKey.apiKey()));
    assertDisabled(() -> genrtl.apiKeys().authenticate(loopbackKey.apiKey()));
    assertDisabled(() -> signIn.authenticate(session.accessToken()));
    assertDisabled(() -> signIn.refresh(session.refreshToken()));
    assertDisabled(() -> signIn.signIn(google("g-1", "ann@example.com", true)));
    assertDisabled(() -> signIn.signIn(new ExternalIdentity("github", "42", "ann@example.com", true)));
    assertThat(stores.auth().findIdentity("github", "42")).as("no identity linked to a disabled user").isEmpty();
    assertDisabled(() -> signIn.startSession(u.userId(), "google"));
    assertDisabled(() -> genrtl.apiKeys().issue(u.userId(), "new", null));
    assertDisabled(() -> signIn.redeemLoopbackCode(pendingCode, verifier, redirect, "cli"));
    // a wrong secret still answers as for any unknown key: "disabled" is told only to the holder of the secret
    String wrong = apiKey.substring(0, apiKey.length() - 1) + (apiKey.endsWith("x") ? "y" : "x");
    assertUnauthenticated(() -> genrtl.apiKeys().authenticate(wrong));
    assertThat(genrtl.apiKeys().authenticate(otherKey).userId()).isEqualTo(other.userId());
    assertThat(genrtl.accounts().disableUser(u.userId(), "again").disabledAt()).as("idempotent").isEqualTo(disabled.disabledAt());

    clock.advance(Duration.ofMinutes(1));
    assertThat(genrtl.accounts().enableUser(u.userId(), "came back").disabled()).isFalse();
    assertThat(genrtl.apiKeys().authenticate(apiKey).userId()).isEqualTo(u.userId());
    assertThat(genrtl.apiKeys().authenticate(deviceKey.apiKey()).userId()).isEqualTo(u.userId());
    assertThat(signIn.authenticate(session.accessToken()).principal().userId()).isEqualTo(u.userId());
    assertThat(signIn.signIn(google("g-1", "ann@example.com", true)).userId()).isEqualTo(u.userId());
    assertThatThrownBy(() -> genrtl.accounts().disableUser(u.userId(), " "))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED));
    assertThat(genrtl.audit().query(new Principal("auditor", u.tenantId(), io.genrtl.core.account.Role.SUPER_ADMIN, null),
        new io.genrtl.core.audit.AuditQuery(null, "user.", null, u.userId(), null, null, null), PageRequest.first(10)).items())
        .extracting(e -> e.action()).containsExactly("user.enable", "user.disable");
  }

  private static void assertDisabled(Runnable r) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(GenRtlException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCOUNT_DISABLED));
  }

  // ------------------------------------------------------------------ helpers

  private static void assertUnauthenticated(Runnable r) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(GenRtlException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
  }

  private static void assertSignInFailed(Runnable r) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(GenRtlException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.SIGN_IN_FAILED));
  }

  private static void assertInvalid(Runnable r, String field) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(GenRtlException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
      assertThat(e.details()).containsEntry("field", field);
    });
  }
}
