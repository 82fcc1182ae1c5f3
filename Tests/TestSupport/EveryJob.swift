/// SQL for tests that look at every job the database knows, live or finished: a finished job
/// left the claim table, and its newest run record says how it ended.
public enum EveryJob {
    /// A subquery (use it as `FROM \(EveryJob.sql) AS j`) of `id, kind, state, last_error,
    /// attempt`: the claim table's rows, and for each job that left it its newest record.
    public static let sql = """
        (SELECT id, kind, state, last_error, attempt FROM calworker.jobs
         UNION ALL
         SELECT * FROM (SELECT DISTINCT ON (r.job_id) r.job_id, r.kind, r.job_state, r.error, r.attempt FROM calworker.job_runs AS r
                         WHERE NOT EXISTS (SELECT 1 FROM calworker.jobs AS l WHERE l.id = r.job_id)
                         ORDER BY r.job_id, r.finished_at DESC, r.attempt DESC) AS finished)
        """
}
