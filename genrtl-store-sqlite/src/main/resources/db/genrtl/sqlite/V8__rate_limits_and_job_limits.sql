-- SQLite serves one host, whose rate limits live in memory: no bucket table here (PostgreSQL has
-- genrtl_rate_limit_buckets). The index the job concurrency limit counts with is the same on both.
CREATE INDEX jobs_user_status ON jobs (user_id, status);
