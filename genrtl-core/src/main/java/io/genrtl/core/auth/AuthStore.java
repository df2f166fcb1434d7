package io.genrtl.core.auth;

import io.genrtl.core.base.DuplicateKeyException;
import java.util.List;
import java.util.Optional;

/** Sign-in state: linked identities, sessions, logins in progress, device authorizations and loopback codes. */
public interface AuthStore {
  /** Links an identity; a taken (provider, subject) throws {@link DuplicateKeyException}. */
  void insertIdentity(Identity identity);

  Optional<Identity> findIdentity(String provider, String subject);

  /** A user's linked identities, ordered by provider then subject. */
  List<Identity> identitiesOf(String userId);

  void insertSession(Session session);

  Optional<Session> findSession(String sessionId);

  /**
   * Replaces the session's tokens only if it is live and its refresh hash is still {@code expectedRefreshHash}
   * (which becomes the previous one): exactly one of two racing refreshes wins. Returns whether it did.
   */
  boolean rotateSession(String sessionId, String expectedRefreshHash, String accessHash, long accessExpiresAt,
      String refreshHash, long refreshExpiresAt);

  /** Marks the session revoked; false if it does not exist or already was. */
  boolean revokeSession(String sessionId, long at);

  void insertLoginState(LoginState state);

  /** Removes and returns the login with this state hash: of several racing callers exactly one gets it. */
  Optional<LoginState> takeLoginState(String stateHash);

  /** Inserts a device authorization; a taken user code or device code hash throws {@link DuplicateKeyException}. */
  void insertDevice(DeviceAuthorization device);

  Optional<DeviceAuthorization> findDeviceByCodeHash(String deviceCodeHash);

  Optional<DeviceAuthorization> findDeviceByUserCode(String userCode);

  /** Records a poll at {@code at} and the (possibly raised) interval. */
  void recordDevicePoll(String deviceId, long at, int intervalSeconds);

  /**
   * Counts one refused attempt on a pending device authorization that has not expired at {@code now}, in one
   * conditional statement; the attempt that brings the count to {@code maxAttempts} also expires it (its expiry
   * becomes {@code now}). Returns whether an attempt was counted (false: unknown, decided or already expired).
   */
  boolean recordDeviceFailure(String deviceId, long now, int maxAttempts);

  /**
   * Moves the device authorization from {@code from} to {@code to}, setting the deciding user and, when not null,
   * the issued key; conditional on the current status, so only one transition from a status succeeds.
   */
  boolean transitionDevice(String deviceId, DeviceStatus from, DeviceStatus to, String userId, String keyId);

  void insertLoopbackCode(LoopbackCode code);

  /** Removes and returns the loopback code with this hash: of several racing callers exactly one gets it. */
  Optional<LoopbackCode> takeLoopbackCode(String codeHash);

  /** Deletes login states, loopback codes and device authorizations that expired before {@code now}; returns how many. */
  int purgeExpired(long now);
}
