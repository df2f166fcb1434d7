-- Rate-limit buckets shared by every host (bucket4j's PostgreSQL "select for update" proxy manager: one row per
-- bucket key, its serialized state, and when it may be deleted), and the index the job concurrency limit counts with.
CREATE TABLE genrtl_rate_limit_buckets (
  id         VARCHAR(255) PRIMARY KEY,
  state      BYTEA,
  expires_at BIGINT
);
CREATE INDEX genrtl_rate_limit_buckets_expiry ON genrtl_rate_limit_buckets (expires_at);

CREATE INDEX jobs_user_status ON jobs (user_id, status);
