package io.genrtl.auth.oidc;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An issuer's JSON Web Key Set, fetched once and cached. A key id that is not in the cached set triggers one refetch
 * (the issuer may have rotated its keys), but at most one per {@code minRefreshInterval}, so a stream of tokens with
 * made-up {@code kid}s cannot make us hammer the issuer. The set is also refetched when older than {@code maxAge}.
 */
public final class JwksCache {
  private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);
  private final String jwksUri;
  private final OidcHttp http;
  private final Clock clock;
  private final Duration minRefreshInterval;
  private final Duration maxAge;
  private JWKSet keys;
  private long fetchedAt = Long.MIN_VALUE;

  public JwksCache(String jwksUri, OidcHttp http, Clock clock, Duration minRefreshInterval, Duration maxAge) {
    this.jwksUri = jwksUri;
    this.http = http;
    this.clock = clock;
    this.minRefreshInterval = minRefreshInterval;
    this.maxAge = maxAge;
  }

  public static JwksCache of(String jwksUri, OidcHttp http, Clock clock) {
    return new JwksCache(jwksUri, http, clock, Duration.ofMinutes(1), Duration.ofHours(1));
  }

  /** The key with this id, refetching the set at most once per interval when it is unknown. */
  public synchronized Optional<JWK> key(String kid) {
    long now = clock.millis();
    if (keys == null || now - fetchedAt >= maxAge.toMillis()) fetch(now);
    JWK k = find(kid);
    if (k == null && now - fetchedAt >= minRefreshInterval.toMillis()) {
      LOG.info("unknown key id in a token from {}; refetching its JWKS", jwksUri);
      fetch(now);
      k = find(kid);
    }
    return Optional.ofNullable(k);
  }

  private JWK find(String kid) {
    if (keys == null) return null;
    if (kid == null) return keys.getKeys().size() == 1 ? keys.getKeys().get(0) : null;
    return keys.getKeyByKeyId(kid);
  }

  private void fetch(long now) {
    fetchedAt = now; // also on failure: a failing issuer is retried only after the interval
    OidcHttp.JsonResponse r = http.send(new Request.Builder().url(jwksUri).get().build(), "the identity provider's key set");
    if (!r.ok() || r.body().isEmpty()) {
      throw new GenRtlException(ErrorCode.UNAVAILABLE, "the identity provider's key set could not be read",
          Map.of("reason", "jwks"));
    }
    try {
      keys = JWKSet.parse(r.body());
    } catch (java.text.ParseException e) {
      throw new GenRtlException(ErrorCode.UNAVAILABLE, "the identity provider's key set is malformed",
          Map.of("reason", "jwks"));
    }
  }
}
