--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: calworker; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA calworker;


--
-- Name: age_seconds(timestamp with time zone); Type: FUNCTION; Schema: calworker; Owner: -
--

CREATE FUNCTION calworker.age_seconds(t timestamp with time zone) RETURNS double precision
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN t IS NULL THEN NULL
                WHEN isfinite(t) THEN extract(epoch FROM now() - t)::float8
                WHEN t < now() THEN 1e12::float8
                ELSE -1e12::float8 END
$$;


--
-- Name: notify_jobs_inserted(); Type: FUNCTION; Schema: calworker; Owner: -
--

CREATE FUNCTION calworker.notify_jobs_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('calworker_jobs', q.queue)
    FROM (SELECT DISTINCT queue FROM inserted WHERE state = 'available' AND run_at <= now()) AS q;
    RETURN NULL;
END
$$;


--
-- Name: take_request_budget(bigint, double precision, double precision, integer); Type: FUNCTION; Schema: calworker; Owner: -
--

CREATE FUNCTION calworker.take_request_budget(p_account bigint, p_capacity double precision, p_per_second double precision, p_wanted integer) RETURNS TABLE(granted integer, wait_seconds double precision)
    LANGUAGE plpgsql
    AS $$
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


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: accounts; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.accounts (
    id bigint NOT NULL,
    email text NOT NULL,
    owner text NOT NULL,
    state text DEFAULT 'active'::text NOT NULL,
    key_id text NOT NULL,
    refresh_token bytea NOT NULL,
    access_token bytea,
    access_token_expires_at timestamp with time zone,
    paused_until timestamp with time zone,
    calendar_list_sync_token text,
    last_synced_at timestamp with time zone,
    last_error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT accounts_email_check CHECK ((email <> ''::text)),
    CONSTRAINT accounts_owner_check CHECK ((owner <> ''::text)),
    CONSTRAINT accounts_state_check CHECK ((state = ANY (ARRAY['active'::text, 'disabled'::text, 'needs_reauth'::text])))
);


--
-- Name: accounts_id_seq; Type: SEQUENCE; Schema: calworker; Owner: -
--

ALTER TABLE calworker.accounts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME calworker.accounts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: alerts; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.alerts (
    id bigint NOT NULL,
    key text NOT NULL,
    subject text NOT NULL,
    detail text DEFAULT ''::text NOT NULL,
    raised_at timestamp with time zone DEFAULT now() NOT NULL,
    digest_id bigint
);


--
-- Name: alerts_id_seq; Type: SEQUENCE; Schema: calworker; Owner: -
--

CREATE SEQUENCE calworker.alerts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: alerts_id_seq; Type: SEQUENCE OWNED BY; Schema: calworker; Owner: -
--

ALTER SEQUENCE calworker.alerts_id_seq OWNED BY calworker.alerts.id;


--
-- Name: calendars; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.calendars (
    account_id bigint NOT NULL,
    calendar_id text NOT NULL,
    summary text,
    time_zone text,
    access_role text NOT NULL,
    is_primary boolean DEFAULT false NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    excluded boolean DEFAULT false NOT NULL,
    sync_token text,
    full_sync_generation bigint DEFAULT 0 NOT NULL,
    last_synced_at timestamp with time zone
);


--
-- Name: events; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.events (
    account_id bigint NOT NULL,
    calendar_id text NOT NULL,
    event_id text NOT NULL,
    etag text,
    status text NOT NULL,
    summary text,
    start_date date,
    start_time timestamp with time zone,
    start_time_zone text,
    end_date date,
    end_time timestamp with time zone,
    end_time_zone text,
    recurrence text[],
    recurring_event_id text,
    original_start jsonb,
    transparency text,
    event_type text,
    updated timestamp with time zone,
    is_mirror boolean DEFAULT false NOT NULL,
    raw jsonb NOT NULL,
    seen_generation bigint DEFAULT 0 NOT NULL,
    synced_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: job_runs; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.job_runs (
    job_id bigint NOT NULL,
    attempt integer NOT NULL,
    kind text NOT NULL,
    queue text NOT NULL,
    worker_id text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone NOT NULL,
    outcome text NOT NULL,
    error text,
    duration_ms double precision NOT NULL,
    figures jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT job_runs_outcome_check CHECK ((outcome = ANY (ARRAY['completed'::text, 'failed'::text, 'snoozed'::text, 'discarded'::text, 'cancelled'::text, 'lost'::text])))
);


--
-- Name: jobs; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.jobs (
    id bigint NOT NULL,
    kind text NOT NULL,
    queue text DEFAULT 'default'::text NOT NULL,
    args jsonb DEFAULT '{}'::jsonb NOT NULL,
    state text DEFAULT 'available'::text NOT NULL,
    priority smallint DEFAULT 0 NOT NULL,
    attempt integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 20 NOT NULL,
    run_at timestamp with time zone DEFAULT now() NOT NULL,
    unique_key text,
    timeout_ms integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    attempted_at timestamp with time zone,
    finished_at timestamp with time zone,
    lease_until timestamp with time zone,
    worker_id text,
    cancel_requested_at timestamp with time zone,
    last_error text,
    CONSTRAINT jobs_args_check CHECK ((jsonb_typeof(args) = 'object'::text)),
    CONSTRAINT jobs_check CHECK (((state <> 'running'::text) OR (lease_until IS NOT NULL))),
    CONSTRAINT jobs_kind_check CHECK ((kind <> ''::text)),
    CONSTRAINT jobs_max_attempts_check CHECK ((max_attempts >= 1)),
    CONSTRAINT jobs_queue_check CHECK ((queue <> ''::text)),
    CONSTRAINT jobs_state_check CHECK ((state = ANY (ARRAY['available'::text, 'running'::text, 'completed'::text, 'discarded'::text, 'cancelled'::text]))),
    CONSTRAINT jobs_timeout_ms_check CHECK ((timeout_ms > 0))
);


--
-- Name: jobs_id_seq; Type: SEQUENCE; Schema: calworker; Owner: -
--

ALTER TABLE calworker.jobs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME calworker.jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: notification_settings; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.notification_settings (
    owner text NOT NULL,
    email text,
    webhook_url text,
    channel text DEFAULT 'email'::text NOT NULL,
    lead_minutes integer DEFAULT 30 NOT NULL,
    time_zone text DEFAULT 'UTC'::text NOT NULL,
    quiet_start time without time zone,
    quiet_end time without time zone,
    all_day_at time without time zone DEFAULT '08:00:00'::time without time zone NOT NULL,
    CONSTRAINT notification_settings_channel_check CHECK ((channel = ANY (ARRAY['email'::text, 'webhook'::text, 'both'::text, 'off'::text]))),
    CONSTRAINT notification_settings_check CHECK (((quiet_start IS NULL) = (quiet_end IS NULL))),
    CONSTRAINT notification_settings_lead_minutes_check CHECK (((lead_minutes >= 0) AND (lead_minutes <= 10080))),
    CONSTRAINT notification_settings_owner_check CHECK ((owner <> ''::text))
);


--
-- Name: notifications; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.notifications (
    id bigint NOT NULL,
    kind text NOT NULL,
    key text NOT NULL,
    recipient text NOT NULL,
    channel text NOT NULL,
    state text NOT NULL,
    attempts integer DEFAULT 1 NOT NULL,
    claimed_until timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    last_error text,
    subject text,
    CONSTRAINT notifications_channel_check CHECK ((channel = ANY (ARRAY['email'::text, 'webhook'::text]))),
    CONSTRAINT notifications_kind_check CHECK ((kind = ANY (ARRAY['reminder'::text, 'alert_digest'::text]))),
    CONSTRAINT notifications_state_check CHECK ((state = ANY (ARRAY['sending'::text, 'sent'::text, 'failed'::text])))
);


--
-- Name: notifications_id_seq; Type: SEQUENCE; Schema: calworker; Owner: -
--

CREATE SEQUENCE calworker.notifications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: notifications_id_seq; Type: SEQUENCE OWNED BY; Schema: calworker; Owner: -
--

ALTER SEQUENCE calworker.notifications_id_seq OWNED BY calworker.notifications.id;


--
-- Name: notify_state; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.notify_state (
    name text NOT NULL,
    value timestamp with time zone NOT NULL
);


--
-- Name: owner_settings; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.owner_settings (
    owner text NOT NULL,
    busy_title text DEFAULT 'Busy'::text NOT NULL,
    mirror_days integer DEFAULT 90 NOT NULL,
    CONSTRAINT owner_settings_busy_title_check CHECK ((busy_title <> ''::text)),
    CONSTRAINT owner_settings_mirror_days_check CHECK (((mirror_days >= 1) AND (mirror_days <= 730))),
    CONSTRAINT owner_settings_owner_check CHECK ((owner <> ''::text))
);


--
-- Name: request_budgets; Type: TABLE; Schema: calworker; Owner: -
--

CREATE UNLOGGED TABLE calworker.request_budgets (
    account_id bigint NOT NULL,
    tokens double precision NOT NULL,
    refilled_at timestamp with time zone NOT NULL
);


--
-- Name: schedule_fires; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.schedule_fires (
    name text NOT NULL,
    wall_time text NOT NULL,
    fire_at timestamp with time zone NOT NULL,
    job_id bigint
);


--
-- Name: schema_migrations; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: workers; Type: TABLE; Schema: calworker; Owner: -
--

CREATE TABLE calworker.workers (
    id text NOT NULL,
    hostname text NOT NULL,
    pid integer NOT NULL,
    queues text[] NOT NULL,
    concurrency integer NOT NULL,
    version text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    heartbeat_at timestamp with time zone DEFAULT now() NOT NULL,
    stopping boolean DEFAULT false NOT NULL
);


--
-- Name: alerts id; Type: DEFAULT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.alerts ALTER COLUMN id SET DEFAULT nextval('calworker.alerts_id_seq'::regclass);


--
-- Name: notifications id; Type: DEFAULT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.notifications ALTER COLUMN id SET DEFAULT nextval('calworker.notifications_id_seq'::regclass);


--
-- Name: accounts accounts_email_key; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.accounts
    ADD CONSTRAINT accounts_email_key UNIQUE (email);


--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);


--
-- Name: alerts alerts_key_key; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.alerts
    ADD CONSTRAINT alerts_key_key UNIQUE (key);


--
-- Name: alerts alerts_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.alerts
    ADD CONSTRAINT alerts_pkey PRIMARY KEY (id);


--
-- Name: calendars calendars_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.calendars
    ADD CONSTRAINT calendars_pkey PRIMARY KEY (account_id, calendar_id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (account_id, calendar_id, event_id);


--
-- Name: job_runs job_runs_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.job_runs
    ADD CONSTRAINT job_runs_pkey PRIMARY KEY (job_id, attempt);


--
-- Name: jobs jobs_kind_length; Type: CHECK CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE calworker.jobs
    ADD CONSTRAINT jobs_kind_length CHECK ((octet_length(kind) <= 64)) NOT VALID;


--
-- Name: jobs jobs_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.jobs
    ADD CONSTRAINT jobs_pkey PRIMARY KEY (id);


--
-- Name: jobs jobs_queue_length; Type: CHECK CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE calworker.jobs
    ADD CONSTRAINT jobs_queue_length CHECK ((octet_length(queue) <= 64)) NOT VALID;


--
-- Name: notification_settings notification_settings_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.notification_settings
    ADD CONSTRAINT notification_settings_pkey PRIMARY KEY (owner);


--
-- Name: notifications notifications_kind_key_recipient_channel_key; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.notifications
    ADD CONSTRAINT notifications_kind_key_recipient_channel_key UNIQUE (kind, key, recipient, channel);


--
-- Name: notifications notifications_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);


--
-- Name: notify_state notify_state_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.notify_state
    ADD CONSTRAINT notify_state_pkey PRIMARY KEY (name);


--
-- Name: owner_settings owner_settings_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.owner_settings
    ADD CONSTRAINT owner_settings_pkey PRIMARY KEY (owner);


--
-- Name: request_budgets request_budgets_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.request_budgets
    ADD CONSTRAINT request_budgets_pkey PRIMARY KEY (account_id);


--
-- Name: schedule_fires schedule_fires_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.schedule_fires
    ADD CONSTRAINT schedule_fires_pkey PRIMARY KEY (name, wall_time);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: workers workers_pkey; Type: CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.workers
    ADD CONSTRAINT workers_pkey PRIMARY KEY (id);


--
-- Name: alerts_pending_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX alerts_pending_idx ON calworker.alerts USING btree (id) WHERE (digest_id IS NULL);


--
-- Name: events_series_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX events_series_idx ON calworker.events USING btree (account_id) WHERE ((recurrence IS NOT NULL) OR (recurring_event_id IS NOT NULL));


--
-- Name: events_tombstones_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX events_tombstones_idx ON calworker.events USING btree (synced_at) WHERE (status = 'cancelled'::text);


--
-- Name: events_upcoming_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX events_upcoming_idx ON calworker.events USING btree (account_id, start_time) WHERE (NOT is_mirror);


--
-- Name: job_runs_backup_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX job_runs_backup_idx ON calworker.job_runs USING btree (finished_at) WHERE ((kind = 'backup'::text) AND (outcome = 'completed'::text));


--
-- Name: job_runs_finished_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX job_runs_finished_idx ON calworker.job_runs USING btree (finished_at);


--
-- Name: jobs_claim_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX jobs_claim_idx ON calworker.jobs USING btree (queue, priority, run_at, id) WHERE (state = 'available'::text);


--
-- Name: jobs_finished_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX jobs_finished_idx ON calworker.jobs USING btree (finished_at) WHERE (state = ANY (ARRAY['completed'::text, 'discarded'::text, 'cancelled'::text]));


--
-- Name: jobs_lease_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX jobs_lease_idx ON calworker.jobs USING btree (lease_until) WHERE (lease_until IS NOT NULL);


--
-- Name: jobs_unique_live_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE UNIQUE INDEX jobs_unique_live_idx ON calworker.jobs USING btree (unique_key) WHERE ((unique_key IS NOT NULL) AND (state = ANY (ARRAY['available'::text, 'running'::text])));


--
-- Name: notifications_created_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX notifications_created_idx ON calworker.notifications USING btree (created_at);


--
-- Name: schedule_fires_at_idx; Type: INDEX; Schema: calworker; Owner: -
--

CREATE INDEX schedule_fires_at_idx ON calworker.schedule_fires USING btree (name, fire_at);


--
-- Name: jobs jobs_notify_inserted; Type: TRIGGER; Schema: calworker; Owner: -
--

CREATE TRIGGER jobs_notify_inserted AFTER INSERT ON calworker.jobs REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION calworker.notify_jobs_inserted();


--
-- Name: alerts alerts_digest_id_fkey; Type: FK CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.alerts
    ADD CONSTRAINT alerts_digest_id_fkey FOREIGN KEY (digest_id) REFERENCES calworker.notifications(id) ON DELETE SET NULL;


--
-- Name: calendars calendars_account_id_fkey; Type: FK CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.calendars
    ADD CONSTRAINT calendars_account_id_fkey FOREIGN KEY (account_id) REFERENCES calworker.accounts(id) ON DELETE CASCADE;


--
-- Name: events events_account_id_calendar_id_fkey; Type: FK CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.events
    ADD CONSTRAINT events_account_id_calendar_id_fkey FOREIGN KEY (account_id, calendar_id) REFERENCES calworker.calendars(account_id, calendar_id) ON DELETE CASCADE;


--
-- Name: request_budgets request_budgets_account_id_fkey; Type: FK CONSTRAINT; Schema: calworker; Owner: -
--

ALTER TABLE ONLY calworker.request_budgets
    ADD CONSTRAINT request_budgets_account_id_fkey FOREIGN KEY (account_id) REFERENCES calworker.accounts(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


