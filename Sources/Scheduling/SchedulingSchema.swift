public import Postgres

/// The fires of scheduled job definitions, one row each, so that any number of schedulers enqueue each once.
public enum SchedulingSchema {
    /// In the schema's recorded order; a step's version is its place in the order all modules
    /// share, so one step may have parts in several modules (see `Migrator`).
    public static let migrations: [Migration] = [
        Migration(
            version: 6, name: "schedule fires",
            sql: """
                -- One row per fire of a scheduled definition, by the wall-clock time it was scheduled
                -- for: schedulers running side by side insert it before enqueueing, so each fire
                -- enqueues once.
                CREATE TABLE calworker.schedule_fires (
                    name      text        NOT NULL,
                    wall_time text        NOT NULL,
                    fire_at   timestamptz NOT NULL,
                    job_id    bigint,
                    PRIMARY KEY (name, wall_time)
                );
                CREATE INDEX schedule_fires_at_idx ON calworker.schedule_fires (name, fire_at);
                """)
    ]
}
