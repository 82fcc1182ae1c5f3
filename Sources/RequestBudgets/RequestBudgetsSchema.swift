public import Postgres

/// The request budgets every worker shares: one token bucket per account and one per OAuth
/// project (`RequestBudget`, `PostgresRequestBudgets`).
public enum RequestBudgetsSchema {
    /// Steps 7 and 9 of the order all modules share (see `Migrator`).
    public static let migrations: [Migration] = [
        Migration(
            version: 7, name: "Google request budgets shared by every worker",
            sql: """
                -- One token bucket per account for every process writing as it: an account's own sync
                -- in one worker and another account's mirror lane writing as it in another together
                -- stay within one budget, below Google's per-user limit. Unlogged: a take writes no WAL
                -- and waits for no disk flush; after a crash the buckets start again full, as after a
                -- quiet minute, which loses nothing worth a flush per request.
                CREATE UNLOGGED TABLE calworker.request_budgets (
                    account_id  bigint      PRIMARY KEY REFERENCES calworker.accounts ON DELETE CASCADE,
                    tokens      float8      NOT NULL,
                    refilled_at timestamptz NOT NULL
                );
                -- Takes up to p_wanted requests' worth (refilling at p_per_second, at most p_capacity);
                -- returns how many were granted and, when none, how long until one is. The row lock
                -- makes concurrent takers queue: none can spend what another took.
                CREATE FUNCTION calworker.take_request_budget(p_account bigint, p_capacity float8, p_per_second float8, p_wanted int)
                RETURNS TABLE (granted int, wait_seconds float8) LANGUAGE plpgsql AS $$
                DECLARE
                    v_tokens    float8;
                    v_at        timestamptz;
                    v_now       timestamptz;
                    v_available float8;
                    v_granted   int;
                BEGIN
                    SELECT b.tokens, b.refilled_at INTO v_tokens, v_at FROM calworker.request_budgets b WHERE b.account_id = p_account FOR UPDATE;
                    IF NOT FOUND THEN
                        INSERT INTO calworker.request_budgets (account_id, tokens, refilled_at) VALUES (p_account, p_capacity, clock_timestamp())
                        ON CONFLICT (account_id) DO NOTHING;
                        SELECT b.tokens, b.refilled_at INTO v_tokens, v_at FROM calworker.request_budgets b WHERE b.account_id = p_account FOR UPDATE;
                    END IF;
                    v_now := greatest(clock_timestamp(), v_at);
                    v_available := least(p_capacity, v_tokens + extract(epoch FROM v_now - v_at) * p_per_second);
                    v_granted := greatest(0, least(p_wanted, floor(v_available)))::int;
                    UPDATE calworker.request_budgets b SET tokens = v_available - v_granted, refilled_at = v_now WHERE b.account_id = p_account;
                    RETURN QUERY SELECT v_granted, CASE WHEN v_granted > 0 THEN 0::float8 ELSE (1 - v_available) / p_per_second END;
                END
                $$;
                """),
        Migration(
            version: 9, name: "the OAuth project's request budget",
            sql: """
                -- The OAuth project's budget (Google: 10,000 requests a minute per project), shared by
                -- every account and worker beside each account's own: a fan-out over thousands of
                -- accounts slows down as a whole instead of drawing rateLimitExceeded for everybody.
                CREATE UNLOGGED TABLE calworker.project_request_budgets (
                    project     text        PRIMARY KEY,
                    tokens      float8      NOT NULL,
                    refilled_at timestamptz NOT NULL
                );
                -- take_request_budget, granting only what the account's and the project's buckets both
                -- hold. Rows are locked account first, then project, so takers never deadlock.
                CREATE FUNCTION calworker.take_request_budgets(p_account bigint, p_capacity float8, p_per_second float8, p_wanted int,
                                                               p_project text, p_project_capacity float8, p_project_per_second float8)
                RETURNS TABLE (granted int, wait_seconds float8) LANGUAGE plpgsql AS $$
                DECLARE
                    a_tokens  float8;
                    a_at      timestamptz;
                    p_tokens  float8;
                    p_at      timestamptz;
                    v_now     timestamptz;
                    a_avail   float8;
                    p_avail   float8;
                    v_granted int;
                BEGIN
                    SELECT b.tokens, b.refilled_at INTO a_tokens, a_at FROM calworker.request_budgets b WHERE b.account_id = p_account FOR UPDATE;
                    IF NOT FOUND THEN
                        INSERT INTO calworker.request_budgets (account_id, tokens, refilled_at) VALUES (p_account, p_capacity, clock_timestamp())
                        ON CONFLICT (account_id) DO NOTHING;
                        SELECT b.tokens, b.refilled_at INTO a_tokens, a_at FROM calworker.request_budgets b WHERE b.account_id = p_account FOR UPDATE;
                    END IF;
                    SELECT b.tokens, b.refilled_at INTO p_tokens, p_at FROM calworker.project_request_budgets b WHERE b.project = p_project FOR UPDATE;
                    IF NOT FOUND THEN
                        INSERT INTO calworker.project_request_budgets (project, tokens, refilled_at) VALUES (p_project, p_project_capacity, clock_timestamp())
                        ON CONFLICT (project) DO NOTHING;
                        SELECT b.tokens, b.refilled_at INTO p_tokens, p_at FROM calworker.project_request_budgets b WHERE b.project = p_project FOR UPDATE;
                    END IF;
                    v_now := greatest(clock_timestamp(), a_at, p_at);
                    a_avail := least(p_capacity, a_tokens + extract(epoch FROM v_now - a_at) * p_per_second);
                    p_avail := least(p_project_capacity, p_tokens + extract(epoch FROM v_now - p_at) * p_project_per_second);
                    v_granted := greatest(0, least(p_wanted, floor(a_avail), floor(p_avail)))::int;
                    UPDATE calworker.request_budgets b SET tokens = a_avail - v_granted, refilled_at = v_now WHERE b.account_id = p_account;
                    UPDATE calworker.project_request_budgets b SET tokens = p_avail - v_granted, refilled_at = v_now WHERE b.project = p_project;
                    RETURN QUERY SELECT v_granted, CASE WHEN v_granted > 0 THEN 0::float8
                        ELSE greatest((1 - a_avail) / p_per_second, (1 - p_avail) / p_project_per_second, 0::float8) END;
                END
                $$;
                """),
    ]
}
