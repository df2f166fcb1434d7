package io.genrtl.core.pool;

import java.util.List;

/** The result of checking one user's balances against grants and ledger rows; {@code problems} empty when exact. */
public record LedgerCheck(String userId, List<String> problems) {
  public LedgerCheck {
    problems = List.copyOf(problems);
  }

  public boolean ok() {
    return problems.isEmpty();
  }
}
