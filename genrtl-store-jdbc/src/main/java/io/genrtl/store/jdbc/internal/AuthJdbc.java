package io.genrtl.store.jdbc.internal;

import io.genrtl.core.auth.AuthStore;
import io.genrtl.core.auth.DeviceAuthorization;
import io.genrtl.core.auth.DeviceStatus;
import io.genrtl.core.auth.Identity;
import io.genrtl.core.auth.LoginState;
import io.genrtl.core.auth.LoopbackCode;
import io.genrtl.core.auth.Session;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** Sign-in tables (V7) in SQL shared by both dialects. Not API. */
public final class AuthJdbc {
  private final Db db;

  public AuthJdbc(Db db) {
    this.db = db;
  }

  private static Integer nullableInt(java.sql.ResultSet rs, String col) throws java.sql.SQLException {
    int v = rs.getInt(col);
    return rs.wasNull() ? null : v;
  }

  private static final RowMapper<Identity> IDENTITY = (rs, ctx) -> new Identity(rs.getString("provider"),
      rs.getString("subject"), rs.getString("user_id"), rs.getString("email"), rs.getLong("created_at"));
  private static final RowMapper<Session> SESSION = (rs, ctx) -> new Session(rs.getString("session_id"),
      rs.getString("user_id"), rs.getString("provider"), rs.getString("access_hash"), rs.getLong("access_expires_at"),
      rs.getString("refresh_hash"), rs.getString("previous_refresh_hash"), rs.getLong("refresh_expires_at"),
      rs.getLong("created_at"), AccountsJdbc.nullableLong(rs, "revoked_at"));
  private static final RowMapper<LoginState> LOGIN = (rs, ctx) -> new LoginState(rs.getString("state_hash"),
      rs.getString("provider"), rs.getString("nonce"), rs.getString("code_verifier"), rs.getString("return_to"),
      rs.getString("loopback_redirect"), rs.getString("client_challenge"), rs.getString("client_state"),
      rs.getString("client_id"), rs.getLong("created_at"), rs.getLong("expires_at"));
  private static final RowMapper<DeviceAuthorization> DEVICE = (rs, ctx) -> new DeviceAuthorization(
      rs.getString("device_id"), rs.getString("device_code_hash"), rs.getString("user_code"), rs.getString("client_id"),
      DeviceStatus.fromWire(rs.getString("status")), nullableInt(rs, "interval_seconds"),
      AccountsJdbc.nullableLong(rs, "last_polled_at"), rs.getString("user_id"), rs.getString("key_id"),
      rs.getInt("failed_attempts"), rs.getLong("created_at"), rs.getLong("expires_at"));
  private static final RowMapper<LoopbackCode> CODE = (rs, ctx) -> new LoopbackCode(rs.getString("code_hash"),
      rs.getString("user_id"), rs.getString("client_id"), rs.getString("redirect_uri"), rs.getString("code_challenge"),
      rs.getLong("created_at"), rs.getLong("expires_at"));

  public AuthStore store() {
    return new AuthStore() {
      @Override
      public void insertIdentity(Identity i) {
        db.insert("identity", h -> h.createUpdate("INSERT INTO auth_identities (provider, subject, user_id, email, created_at) "
                + "VALUES (:p, :s, :u, :e, :at)")
            .bind("p", i.provider()).bind("s", i.subject()).bind("u", i.userId()).bind("e", i.email())
            .bind("at", i.createdAt()).execute());
      }

      @Override
      public Optional<Identity> findIdentity(String provider, String subject) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM auth_identities WHERE provider = :p AND subject = :s")
            .bind("p", provider).bind("s", subject).map(IDENTITY).findOne());
      }

      @Override
      public List<Identity> identitiesOf(String userId) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM auth_identities WHERE user_id = :u ORDER BY provider, subject")
            .bind("u", userId).map(IDENTITY).list());
      }

      @Override
      public void insertSession(Session s) {
        db.insert("session", h -> h.createUpdate("INSERT INTO auth_sessions (session_id, user_id, provider, access_hash, "
                + "access_expires_at, refresh_hash, previous_refresh_hash, refresh_expires_at, created_at, revoked_at) "
                + "VALUES (:id, :u, :p, :ah, :ae, :rh, :prh, :re, :at, :rev)")
            .bind("id", s.sessionId()).bind("u", s.userId()).bind("p", s.provider()).bind("ah", s.accessHash())
            .bind("ae", s.accessExpiresAt()).bind("rh", s.refreshHash()).bind("prh", s.previousRefreshHash())
            .bind("re", s.refreshExpiresAt()).bind("at", s.createdAt()).bind("rev", s.revokedAt()).execute());
      }

      @Override
      public Optional<Session> findSession(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM auth_sessions WHERE session_id = :id")
            .bind("id", id).map(SESSION).findOne());
      }

      @Override
      public boolean rotateSession(String id, String expected, String access, long accessExp, String refresh, long refreshExp) {
        return db.withHandle(h -> h.createUpdate("UPDATE auth_sessions SET access_hash = :ah, access_expires_at = :ae, "
                + "refresh_hash = :rh, previous_refresh_hash = :old, refresh_expires_at = :re "
                + "WHERE session_id = :id AND refresh_hash = :old AND revoked_at IS NULL")
            .bind("ah", access).bind("ae", accessExp).bind("rh", refresh).bind("old", expected).bind("re", refreshExp)
            .bind("id", id).execute()) == 1;
      }

      @Override
      public boolean revokeSession(String id, long at) {
        return db.withHandle(h -> h.createUpdate(
                "UPDATE auth_sessions SET revoked_at = :at WHERE session_id = :id AND revoked_at IS NULL")
            .bind("at", at).bind("id", id).execute()) == 1;
      }

      @Override
      public void insertLoginState(LoginState s) {
        db.insert("login state", h -> h.createUpdate("INSERT INTO auth_login_states (state_hash, provider, nonce, "
                + "code_verifier, return_to, loopback_redirect, client_challenge, client_state, client_id, created_at, "
                + "expires_at) VALUES (:sh, :p, :n, :cv, :rt, :lr, :cc, :cs, :ci, :at, :exp)")
            .bind("sh", s.stateHash()).bind("p", s.provider()).bind("n", s.nonce()).bind("cv", s.codeVerifier())
            .bind("rt", s.returnTo()).bind("lr", s.loopbackRedirect()).bind("cc", s.clientChallenge())
            .bind("cs", s.clientState()).bind("ci", s.clientId()).bind("at", s.createdAt()).bind("exp", s.expiresAt())
            .execute());
      }

      @Override
      public Optional<LoginState> takeLoginState(String hash) {
        return db.inTransaction(() -> {
          Optional<LoginState> found = db.withHandle(h -> h.createQuery("SELECT * FROM auth_login_states WHERE state_hash = :h")
              .bind("h", hash).map(LOGIN).findOne());
          if (found.isEmpty()) return found;
          int deleted = db.withHandle(h -> h.createUpdate("DELETE FROM auth_login_states WHERE state_hash = :h")
              .bind("h", hash).execute());
          return deleted == 1 ? found : Optional.<LoginState>empty();
        });
      }

      @Override
      public void insertDevice(DeviceAuthorization d) {
        db.insert("device authorization", h -> h.createUpdate("INSERT INTO auth_devices (device_id, device_code_hash, "
                + "user_code, client_id, status, interval_seconds, last_polled_at, user_id, key_id, failed_attempts, "
                + "created_at, expires_at) VALUES (:id, :dh, :uc, :ci, :st, :iv, :lp, :u, :k, :fa, :at, :exp)")
            .bind("id", d.deviceId()).bind("dh", d.deviceCodeHash()).bind("uc", d.userCode()).bind("ci", d.clientId())
            .bind("st", d.status().wire()).bind("iv", d.intervalSeconds()).bind("lp", d.lastPolledAt())
            .bind("u", d.userId()).bind("k", d.keyId()).bind("fa", d.failedAttempts()).bind("at", d.createdAt())
            .bind("exp", d.expiresAt()).execute());
      }

      @Override
      public Optional<DeviceAuthorization> findDeviceByCodeHash(String hash) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM auth_devices WHERE device_code_hash = :h")
            .bind("h", hash).map(DEVICE).findOne());
      }

      @Override
      public Optional<DeviceAuthorization> findDeviceByUserCode(String userCode) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM auth_devices WHERE user_code = :c")
            .bind("c", userCode).map(DEVICE).findOne());
      }

      @Override
      public void recordDevicePoll(String id, long at, int interval) {
        db.withHandle(h -> h.createUpdate("UPDATE auth_devices SET last_polled_at = :at, interval_seconds = :iv "
                + "WHERE device_id = :id")
            .bind("at", at).bind("iv", interval).bind("id", id).execute());
      }

      @Override
      public boolean recordDeviceFailure(String id, long now, int maxAttempts) {
        // the right-hand sides read the row as it was: the attempt that reaches the cap also expires it
        return db.withHandle(h -> h.createUpdate("UPDATE auth_devices SET failed_attempts = failed_attempts + 1, "
                + "expires_at = CASE WHEN failed_attempts + 1 >= :max THEN :now ELSE expires_at END "
                + "WHERE device_id = :id AND status = 'pending' AND expires_at > :now")
            .bind("max", maxAttempts).bind("now", now).bind("id", id).execute()) == 1;
      }

      @Override
      public boolean transitionDevice(String id, DeviceStatus from, DeviceStatus to, String userId, String keyId) {
        return db.withHandle(h -> h.createUpdate("UPDATE auth_devices SET status = :to, user_id = :u, "
                + "key_id = COALESCE(:k, key_id) WHERE device_id = :id AND status = :from")
            .bind("to", to.wire()).bind("u", userId).bind("k", keyId).bind("id", id).bind("from", from.wire())
            .execute()) == 1;
      }

      @Override
      public void insertLoopbackCode(LoopbackCode c) {
        db.insert("loopback code", h -> h.createUpdate("INSERT INTO auth_loopback_codes (code_hash, user_id, client_id, "
                + "redirect_uri, code_challenge, created_at, expires_at) VALUES (:h, :u, :ci, :r, :cc, :at, :exp)")
            .bind("h", c.codeHash()).bind("u", c.userId()).bind("ci", c.clientId()).bind("r", c.redirectUri())
            .bind("cc", c.codeChallenge()).bind("at", c.createdAt()).bind("exp", c.expiresAt()).execute());
      }

      @Override
      public Optional<LoopbackCode> takeLoopbackCode(String hash) {
        return db.inTransaction(() -> {
          Optional<LoopbackCode> found = db.withHandle(h -> h.createQuery("SELECT * FROM auth_loopback_codes WHERE code_hash = :h")
              .bind("h", hash).map(CODE).findOne());
          if (found.isEmpty()) return found;
          int deleted = db.withHandle(h -> h.createUpdate("DELETE FROM auth_loopback_codes WHERE code_hash = :h")
              .bind("h", hash).execute());
          return deleted == 1 ? found : Optional.<LoopbackCode>empty();
        });
      }

      @Override
      public int purgeExpired(long now) {
        return db.inTransaction(() -> db.withHandle(h ->
            h.createUpdate("DELETE FROM auth_login_states WHERE expires_at <= :now").bind("now", now).execute()
                + h.createUpdate("DELETE FROM auth_loopback_codes WHERE expires_at <= :now").bind("now", now).execute()
                + h.createUpdate("DELETE FROM auth_devices WHERE expires_at <= :now").bind("now", now).execute()));
      }
    };
  }
}
