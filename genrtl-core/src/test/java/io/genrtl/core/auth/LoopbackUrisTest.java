package io.genrtl.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.genrtl.core.base.GenRtlException;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopbackUrisTest {
  /** Issue "Security findings from a hostile review", Low: a loopback redirect with port 99999 was accepted. */
  @Test
  void low_loopbackPortOutOfRange() {
    for (String uri : List.of("http://127.0.0.1:99999/cb", "http://localhost:65536/cb", "http://[::1]:0/cb",
        "http://127.0.0.1:2147483647/cb", "http://127.0.0.1:99999999999/cb", "http://127.0.0.1:-1/cb")) {
      GenRtlException e = catchThrowableOfType(GenRtlException.class, () -> LoopbackUris.check(uri));
      assertThat(e).as(uri).isNotNull();
      assertThat(e.details()).as(uri).containsEntry("field", "redirect_uri");
      assertThat(LoopbackUris.isLoopback(uri)).as(uri).isFalse();
    }
    for (String uri : List.of("http://127.0.0.1:1/cb", "http://localhost:65535/cb", "http://[::1]:8123/cb", "http://127.0.0.1/cb")) {
      assertThat(LoopbackUris.isLoopback(uri)).as(uri).isTrue();
    }
  }
}
