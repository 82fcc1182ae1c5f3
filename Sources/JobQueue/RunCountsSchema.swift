import Postgres

/// Schema version 14: attempts counted by the minute as they enter the history.
///
/// The overview and every worker's `/metrics` show the last hour's attempts by kind and
/// outcome. Read from the history, that cost grows with throughput: a worker draining 40,000
/// jobs a second put 2.4 million records into each hour, and the console's overview under
/// load took a database core away from that worker. The counts are kept instead by a
/// statement-level trigger on the history: one upsert per finish statement and kind, exact
/// (every way a record is written, committed or rolled back with it), crash-safe, and read
/// in a few hundred rows. Rows are spread over 8 shards by backend, so finishing workers never
/// wait on one another's counter.
enum RunCountsSchema {
    static let migration = Migration(
        version: 14, name: "attempts counted by the minute as they enter the history",
        sql: """
            CREATE TABLE calworker.run_counts (
                minute     timestamptz NOT NULL,
                kind       text        NOT NULL,
                outcome    text        NOT NULL,
                shard      smallint    NOT NULL,
                attempts   bigint      NOT NULL,
                last_at    timestamptz NOT NULL,
                last_error text,
                PRIMARY KEY (minute, kind, outcome, shard)
            );

            CREATE FUNCTION calworker.count_runs() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO calworker.run_counts AS c (minute, kind, outcome, shard, attempts, last_at, last_error)
                SELECT date_trunc('minute', finished_at), kind, outcome, pg_backend_pid() % 8, count(*), max(finished_at),
                       (array_agg(left(error, 2000) ORDER BY finished_at DESC) FILTER (WHERE error IS NOT NULL))[1]
                  FROM inserted GROUP BY 1, 2, 3
                ON CONFLICT (minute, kind, outcome, shard) DO UPDATE
                   SET attempts = c.attempts + EXCLUDED.attempts,
                       last_error = CASE WHEN EXCLUDED.last_error IS NOT NULL AND EXCLUDED.last_at >= c.last_at
                                         THEN EXCLUDED.last_error ELSE c.last_error END,
                       last_at = greatest(c.last_at, EXCLUDED.last_at);
                RETURN NULL;
            END
            $$;
            -- On the partitioned history itself: rows moved between its partitions (a day's
            -- partition created) are not counted again.
            CREATE TRIGGER job_runs_count AFTER INSERT ON calworker.job_runs
                REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION calworker.count_runs();

            -- The last two hours, so the overview is whole from the start.
            INSERT INTO calworker.run_counts (minute, kind, outcome, shard, attempts, last_at, last_error)
            SELECT date_trunc('minute', finished_at), kind, outcome, 0, count(*), max(finished_at),
                   (array_agg(left(error, 2000) ORDER BY finished_at DESC) FILTER (WHERE error IS NOT NULL))[1]
              FROM calworker.job_runs WHERE finished_at > now() - interval '2 hours' AND finished_at <= now()
             GROUP BY 1, 2, 3;
            """)
}
