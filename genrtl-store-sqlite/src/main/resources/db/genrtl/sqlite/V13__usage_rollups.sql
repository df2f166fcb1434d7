-- genRTL schema v13 (SQLite): usage rollups.
-- Keep the version numbers and descriptions identical to the PostgreSQL migrations.

-- Totals of the usage ledger that every usage view reads instead of the rows (issue 13, "Usage rollups"). They are
-- maintained in the same transaction as each ledger row (LedgerStore.insert: one INSERT ... ON CONFLICT DO UPDATE
-- per table per row, refunds included) and checked against a full scan by `admin verify-ledger`. A missing model,
-- job or workspace is stored as '' (key columns cannot be null). Days are UTC epoch days (ts / 86400000).

-- per (user, UTC day, kind, model, bucket): summaries by day, model and kind; filters kind and from/to
CREATE TABLE usage_rollup_day (
  user_id             TEXT NOT NULL,
  day                 INTEGER NOT NULL,
  kind                TEXT NOT NULL,
  model               TEXT NOT NULL,
  bucket              TEXT NOT NULL,
  row_count           INTEGER NOT NULL,
  usd_micros          INTEGER NOT NULL,
  input_tokens        INTEGER NOT NULL,
  output_tokens       INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  cache_write_tokens  INTEGER NOT NULL,
  PRIMARY KEY (user_id, day, kind, model, bucket)
) WITHOUT ROWID;

-- per (user, job, workspace, UTC day, kind, model, bucket), rows without a job under job '': group_by=job (paged by
-- job id) and the job_id filter
CREATE TABLE usage_rollup_job (
  user_id             TEXT NOT NULL,
  job_id              TEXT NOT NULL,
  workspace_id        TEXT NOT NULL,
  day                 INTEGER NOT NULL,
  kind                TEXT NOT NULL,
  model               TEXT NOT NULL,
  bucket              TEXT NOT NULL,
  row_count           INTEGER NOT NULL,
  usd_micros          INTEGER NOT NULL,
  input_tokens        INTEGER NOT NULL,
  output_tokens       INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  cache_write_tokens  INTEGER NOT NULL,
  PRIMARY KEY (user_id, job_id, workspace_id, day, kind, model, bucket)
) WITHOUT ROWID;
CREATE INDEX usage_rollup_job_workspace ON usage_rollup_job (user_id, workspace_id, job_id);
-- group_by=job over a narrow from/to: the jobs of those days without walking every job of the user
CREATE INDEX usage_rollup_job_day ON usage_rollup_job (user_id, day, job_id);

-- per (user, workspace, UTC day, kind, model, bucket), rows with a workspace only: the workspace_id filter
CREATE TABLE usage_rollup_workspace (
  user_id             TEXT NOT NULL,
  workspace_id        TEXT NOT NULL,
  day                 INTEGER NOT NULL,
  kind                TEXT NOT NULL,
  model               TEXT NOT NULL,
  bucket              TEXT NOT NULL,
  row_count           INTEGER NOT NULL,
  usd_micros          INTEGER NOT NULL,
  input_tokens        INTEGER NOT NULL,
  output_tokens       INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  cache_write_tokens  INTEGER NOT NULL,
  PRIMARY KEY (user_id, workspace_id, day, kind, model, bucket)
) WITHOUT ROWID;

-- per (user, pool period, bucket): the bucket sums the ledger check compares balances with
CREATE TABLE usage_rollup_period (
  user_id             TEXT NOT NULL,
  period_start        INTEGER NOT NULL,
  bucket              TEXT NOT NULL,
  row_count           INTEGER NOT NULL,
  usd_micros          INTEGER NOT NULL,
  input_tokens        INTEGER NOT NULL,
  output_tokens       INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  cache_write_tokens  INTEGER NOT NULL,
  PRIMARY KEY (user_id, period_start, bucket)
) WITHOUT ROWID;

-- backfill from the rows already in the ledger
INSERT INTO usage_rollup_day (user_id, day, kind, model, bucket, row_count, usd_micros, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens)
SELECT user_id, ts / 86400000, kind, COALESCE(model, ''), bucket, COUNT(*), SUM(usd_micros), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens)
FROM usage_ledger GROUP BY user_id, ts / 86400000, kind, COALESCE(model, ''), bucket;

INSERT INTO usage_rollup_job (user_id, job_id, workspace_id, day, kind, model, bucket, row_count, usd_micros, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens)
SELECT user_id, COALESCE(job_id, ''), COALESCE(workspace_id, ''), ts / 86400000, kind, COALESCE(model, ''), bucket, COUNT(*), SUM(usd_micros), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens)
FROM usage_ledger
GROUP BY user_id, COALESCE(job_id, ''), COALESCE(workspace_id, ''), ts / 86400000, kind, COALESCE(model, ''), bucket;

INSERT INTO usage_rollup_workspace (user_id, workspace_id, day, kind, model, bucket, row_count, usd_micros, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens)
SELECT user_id, workspace_id, ts / 86400000, kind, COALESCE(model, ''), bucket, COUNT(*), SUM(usd_micros), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens)
FROM usage_ledger WHERE workspace_id IS NOT NULL
GROUP BY user_id, workspace_id, ts / 86400000, kind, COALESCE(model, ''), bucket;

INSERT INTO usage_rollup_period (user_id, period_start, bucket, row_count, usd_micros, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens)
SELECT user_id, period_start, bucket, COUNT(*), SUM(usd_micros), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens)
FROM usage_ledger GROUP BY user_id, period_start, bucket;

-- the documented filters of GET /api/usage, newest first by id (keyset pagination); from/to use usage_ledger_user_ts
CREATE INDEX usage_ledger_user_kind ON usage_ledger (user_id, kind, entry_id);
CREATE INDEX usage_ledger_user_job ON usage_ledger (user_id, job_id, entry_id);
CREATE INDEX usage_ledger_user_workspace ON usage_ledger (user_id, workspace_id, entry_id);
