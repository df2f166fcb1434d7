package io.genrtl.core.memory;

import io.genrtl.core.auth.AuthStore;
import io.genrtl.core.auth.DeviceAuthorization;
import io.genrtl.core.auth.DeviceStatus;
import io.genrtl.core.auth.Identity;
import io.genrtl.core.auth.LoginState;
import io.genrtl.core.auth.LoopbackCode;
import io.genrtl.core.auth.Session;
import io.genrtl.core.base.DuplicateKeyException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** In-memory sign-in state with the same uniqueness and conditional-update semantics as the SQL stores. */
final class InMemoryAuth {
  static final class Data {
    Map<String, Identity> identities = new HashMap<>(); // provider + '\0' + subject
    TreeMap<String, Session> sessions = new TreeMap<>();
    Map<String, LoginState> logins = new HashMap<>();
    TreeMap<String, DeviceAuthorization> devices = new TreeMap<>();
    Map<String, LoopbackCode> codes = new HashMap<>();

    Data copy() {
      Data d = new Data();
      d.identities = new HashMap<>(identities);
      d.sessions = new TreeMap<>(sessions);
      d.logins = new HashMap<>(logins);
      d.devices = new TreeMap<>(devices);
      d.codes = new HashMap<>(codes);
      return d;
    }
  }

  interface Access {
    <T> T locked(Supplier<T> s);

    Data data();

    boolean userExists(String userId);
  }

  private final Access x;

  InMemoryAuth(Access x) {
    this.x = x;
  }

  private static DeviceAuthorization with(DeviceAuthorization d, DeviceStatus status, int interval, Long polled,
      String userId, String keyId) {
    return new DeviceAuthorization(d.deviceId(), d.deviceCodeHash(), d.userCode(), d.clientId(), status, interval, polled,
        userId, keyId, d.failedAttempts(), d.createdAt(), d.expiresAt());
  }

  AuthStore store() {
    return new AuthStore() {
      @Override
      public void insertIdentity(Identity i) {
        x.locked(() -> {
          if (!x.userExists(i.userId())) throw new IllegalStateException("no such user: " + i.userId());
          if (x.data().identities.putIfAbsent(i.provider() + "\0" + i.subject(), i) != null) {
            throw new DuplicateKeyException("identity exists", null);
          }
          return null;
        });
      }

      @Override
      public Optional<Identity> findIdentity(String provider, String subject) {
        return x.locked(() -> Optional.ofNullable(x.data().identities.get(provider + "\0" + subject)));
      }

      @Override
      public List<Identity> identitiesOf(String userId) {
        return x.locked(() -> x.data().identities.values().stream().filter(i -> i.userId().equals(userId))
            .sorted(Comparator.comparing(Identity::provider).thenComparing(Identity::subject)).toList());
      }

      @Override
      public void insertSession(Session s) {
        x.locked(() -> {
          if (!x.userExists(s.userId())) throw new IllegalStateException("no such user: " + s.userId());
          if (x.data().sessions.putIfAbsent(s.sessionId(), s) != null) throw new DuplicateKeyException("session exists", null);
          return null;
        });
      }

      @Override
      public Optional<Session> findSession(String id) {
        return x.locked(() -> Optional.ofNullable(x.data().sessions.get(id)));
      }

      @Override
      public boolean rotateSession(String id, String expected, String access, long accessExp, String refresh, long refreshExp) {
        return x.locked(() -> {
          Session s = x.data().sessions.get(id);
          if (s == null || s.revokedAt() != null || !s.refreshHash().equals(expected)) return false;
          x.data().sessions.put(id, new Session(id, s.userId(), s.provider(), access, accessExp, refresh, expected, refreshExp,
              s.createdAt(), null));
          return true;
        });
      }

      @Override
      public boolean revokeSession(String id, long at) {
        return x.locked(() -> {
          Session s = x.data().sessions.get(id);
          if (s == null || s.revokedAt() != null) return false;
          x.data().sessions.put(id, new Session(id, s.userId(), s.provider(), s.accessHash(), s.accessExpiresAt(),
              s.refreshHash(), s.previousRefreshHash(), s.refreshExpiresAt(), s.createdAt(), at));
          return true;
        });
      }

      @Override
      public void insertLoginState(LoginState s) {
        x.locked(() -> {
          if (x.data().logins.putIfAbsent(s.stateHash(), s) != null) throw new DuplicateKeyException("login exists", null);
          return null;
        });
      }

      @Override
      public Optional<LoginState> takeLoginState(String hash) {
        return x.locked(() -> Optional.ofNullable(x.data().logins.remove(hash)));
      }

      @Override
      public void insertDevice(DeviceAuthorization d) {
        x.locked(() -> {
          boolean taken = x.data().devices.containsKey(d.deviceId()) || x.data().devices.values().stream()
              .anyMatch(o -> o.userCode().equals(d.userCode()) || o.deviceCodeHash().equals(d.deviceCodeHash()));
          if (taken) throw new DuplicateKeyException("device authorization exists", null);
          x.data().devices.put(d.deviceId(), d);
          return null;
        });
      }

      private Optional<DeviceAuthorization> findDevice(Predicate<DeviceAuthorization> p) {
        return x.locked(() -> x.data().devices.values().stream().filter(p).findFirst());
      }

      @Override
      public Optional<DeviceAuthorization> findDeviceByCodeHash(String hash) {
        return findDevice(d -> d.deviceCodeHash().equals(hash));
      }

      @Override
      public Optional<DeviceAuthorization> findDeviceByUserCode(String userCode) {
        return findDevice(d -> d.userCode().equals(userCode));
      }

      @Override
      public void recordDevicePoll(String id, long at, int interval) {
        x.locked(() -> {
          DeviceAuthorization d = x.data().devices.get(id);
          if (d != null) x.data().devices.put(id, with(d, d.status(), interval, at, d.userId(), d.keyId()));
          return null;
        });
      }

      @Override
      public boolean recordDeviceFailure(String id, long now, int maxAttempts) {
        return x.locked(() -> {
          DeviceAuthorization d = x.data().devices.get(id);
          if (d == null || d.status() != DeviceStatus.PENDING || d.expiresAt() <= now) return false;
          int n = d.failedAttempts() + 1;
          x.data().devices.put(id, new DeviceAuthorization(d.deviceId(), d.deviceCodeHash(), d.userCode(), d.clientId(),
              d.status(), d.intervalSeconds(), d.lastPolledAt(), d.userId(), d.keyId(), n, d.createdAt(),
              n >= maxAttempts ? now : d.expiresAt()));
          return true;
        });
      }

      @Override
      public boolean transitionDevice(String id, DeviceStatus from, DeviceStatus to, String userId, String keyId) {
        return x.locked(() -> {
          DeviceAuthorization d = x.data().devices.get(id);
          if (d == null || d.status() != from) return false;
          x.data().devices.put(id, with(d, to, d.intervalSeconds(), d.lastPolledAt(), userId,
              keyId != null ? keyId : d.keyId()));
          return true;
        });
      }

      @Override
      public void insertLoopbackCode(LoopbackCode c) {
        x.locked(() -> {
          if (!x.userExists(c.userId())) throw new IllegalStateException("no such user: " + c.userId());
          if (x.data().codes.putIfAbsent(c.codeHash(), c) != null) throw new DuplicateKeyException("code exists", null);
          return null;
        });
      }

      @Override
      public Optional<LoopbackCode> takeLoopbackCode(String hash) {
        return x.locked(() -> Optional.ofNullable(x.data().codes.remove(hash)));
      }

      @Override
      public int purgeExpired(long now) {
        return x.locked(() -> {
          int before = x.data().logins.size() + x.data().codes.size() + x.data().devices.size();
          x.data().logins.values().removeIf(s -> s.expiresAt() <= now);
          x.data().codes.values().removeIf(c -> c.expiresAt() <= now);
          x.data().devices.values().removeIf(d -> d.expiresAt() <= now);
          return before - (x.data().logins.size() + x.data().codes.size() + x.data().devices.size());
        });
      }
    };
  }
}
