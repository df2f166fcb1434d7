package io.genrtl.core.auth;

import io.genrtl.core.base.GenRtlException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * RFC 8252 loopback redirect URIs: {@code http} to 127.0.0.1, [::1] or localhost, any TCP port (1 to 65535, or none),
 * nothing else.
 */
public final class LoopbackUris {
  public static final int MIN_PORT = 1;
  public static final int MAX_PORT = 65535;

  private LoopbackUris() {}

  /** Throws {@code validation_failed} (field {@code redirect_uri}) unless {@code uri} is a loopback redirect URI. */
  public static URI check(String uri) {
    if (uri == null || uri.length() > 512) throw bad();
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      throw bad();
    }
    String host = u.getHost();
    int port = u.getPort(); // -1: none given (port 80); java.net.URI takes any digits that fit an int
    if (!"http".equals(u.getScheme()) || host == null || u.getRawUserInfo() != null || u.getRawFragment() != null
        || (port != -1 && (port < MIN_PORT || port > MAX_PORT))) {
      throw bad();
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (!h.equals("127.0.0.1") && !h.equals("[::1]") && !h.equals("localhost")) throw bad();
    return u;
  }

  public static boolean isLoopback(String uri) {
    try {
      check(uri);
      return true;
    } catch (GenRtlException e) {
      return false;
    }
  }

  private static GenRtlException bad() {
    return GenRtlException.invalid("redirect_uri",
        "redirect_uri must be a loopback URI: http://127.0.0.1:<port>/..., http://[::1]:<port>/... or http://localhost:<port>/..."
            + " with a port from 1 to 65535");
  }
}
