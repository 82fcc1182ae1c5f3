import Foundation
import GoogleEmulator
import JobQueue
import Jobs
import Postgres
import TestSupport
import Testing
import Worker

/// An installation of the release before the provider interface (schema 18, the last schema
/// of Google-only events) upgrades with its data: every account, calendar, event, sync token,
/// channel and feed stays, the neutral columns are filled from what Google sent, and the next
/// sync is incremental, asking Google exactly what a never-upgraded installation asks.
@Suite struct SchemaUpgradeTests {
    /// How that release stored a page of events (its `EventStore.upsert`, verbatim but for the
    /// conflict clause, which a copy into an empty table never reaches).
    static let previousReleaseUpsert = """
        INSERT INTO calworker.events AS ev (account_id, calendar_id, event_id, etag, status, summary,
               start_date, start_time, start_time_zone, end_date, end_time, end_time_zone, recurrence,
               recurring_event_id, original_start, transparency, event_type, updated, is_mirror, raw, seen_generation, synced_at)
        SELECT $1, $2, e->>'id', e->>'etag', coalesce(e->>'status', 'confirmed'), e->>'summary',
               (e->'start'->>'date')::date, (e->'start'->>'dateTime')::timestamptz, e->'start'->>'timeZone',
               (e->'end'->>'date')::date, (e->'end'->>'dateTime')::timestamptz, e->'end'->>'timeZone',
               CASE WHEN jsonb_typeof(e->'recurrence') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(e->'recurrence')) END,
               e->>'recurringEventId', e->'originalStartTime', e->>'transparency', coalesce(e->>'eventType', 'default'),
               (e->>'updated')::timestamptz,
               coalesce(e->'extendedProperties'->'private'->>'calworkerMirror', '') = '1', e, $4, now()
          FROM jsonb_array_elements(coalesce($3::jsonb->'items', '[]'::jsonb)) AS e
        """

    static let team = "team@group.calendar.google.com"

    @Test func anInstallationAtSchema18KeepsItsDataAndItsNextSyncIsIncrementalWithTheSameCalls() throws {
        // Today's installation, synced: the account, its calendars and their events as Google has them.
        let fixture = try SyncFixture(calendars: [SyncFixture.email, Self.team], ownedCalendars: true)
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        try SampleEvents.seed(fixture.emulator, calendarID: Self.team, prefix: "t")
        _ = try fixture.syncUntilSuccess()

        // The old installation holds the same state, written as the previous release wrote it.
        let old = try TestDatabase.makeEmpty()
        defer { old.drop() }
        let db = try old.connect()
        try CalworkerSchema.migrator.migrate(on: db, upTo: 18)
        try copyAsThePreviousReleaseWroteIt(from: fixture.db, to: db)
        // A channel in both: push is off, so each installation's sync stops it.
        for installation in [db, fixture.db] {
            try installation.execute(
                """
                INSERT INTO calworker.push_channels (channel_id, account_id, calendar_id, resource_id, token_sha256, state, expires_at)
                VALUES ('cwold1', $1, '', 'res-1', repeat('a', 64), 'active', now() + interval '3 days')
                """, [fixture.accountID])
        }
        try db.execute(
            """
            INSERT INTO calworker.feeds (owner, account_id, calendar_id, detail, name, token)
            VALUES ('owner-1', NULL, NULL, 'busy', 'Ada busy', repeat('t', 40))
            """)
        let before = try counts(db)

        let applied = try CalworkerSchema.migrator.migrate(on: db)

        #expect(applied.map(\.version) == Array(19...CalworkerSchema.migrator.latestVersion))
        #expect(try counts(db) == before, "every account, calendar, event, channel and feed is kept")
        #expect(try tokens(db) == tokens(fixture.db), "every sync token is kept")
        #expect(try db.query("SELECT DISTINCT provider FROM calworker.accounts").map { try $0.decode(String.self, at: 0) } == ["google"])
        let (upgradedRows, todaysRows) = (try neutralColumns(db), try neutralColumns(fixture.db))
        #expect(
            upgradedRows == todaysRows,
            "the neutral columns hold what Google sent: \(upgradedRows.filter { !todaysRows.contains($0) }) against \(todaysRows.filter { !upgradedRows.contains($0) })"
        )

        // One change at Google; both installations sync it.
        _ = try fixture.emulator.patchEvent(calendarID: SyncFixture.email, eventID: "etimed001", ["summary": "Dentist (moved)"])
        fixture.emulator.resetStats()
        let today = try figures(fixture.sync())
        let todaysCalls = fixture.emulator.requestCount(route: nil)
        let todaysStats = fixture.emulator.stats()
        fixture.emulator.resetStats()
        let upgraded = try figures(fixture.sync(connection: db))
        let upgradedCalls = fixture.emulator.requestCount(route: nil)

        #expect(upgraded["full_syncs"] == 0, "incremental: \(upgraded)")
        #expect(upgraded["events_fetched"] == today["events_fetched"])
        #expect(
            upgradedCalls == todaysCalls && upgradedCalls > 0,
            "\(upgradedCalls) calls after the upgrade (\(fixture.emulator.stats())), \(todaysCalls) without one (\(todaysStats))")
        #expect(try neutralColumns(db) == neutralColumns(fixture.db), "after the sync too")
    }

    /// Rows another program wrote into the old copy with values the new columns cannot hold
    /// (a start that is no time, a reminders flag that is a word, attendees that are no list):
    /// the upgrade goes through, and those columns are empty rather than wrong.
    @Test func rowsWrittenBadlyBeforeTheUpgradeLeaveTheirNeutralColumnsEmpty() throws {
        let old = try TestDatabase.makeEmpty()
        defer { old.drop() }
        let db = try old.connect()
        try CalworkerSchema.migrator.migrate(on: db, upTo: 18)
        try db.execute("INSERT INTO calworker.accounts (email, owner, key_id, refresh_token) VALUES ('odd@example.com', 'o', 'k', '\\x00')")
        try db.execute(
            """
            INSERT INTO calworker.calendars (account_id, calendar_id, access_role)
            SELECT id, 'odd@example.com', 'owner' FROM calworker.accounts
            """)
        try db.execute(
            """
            INSERT INTO calworker.events (account_id, calendar_id, event_id, status, original_start, raw)
            SELECT id, 'odd@example.com', 'bad1', 'confirmed', '{"date": "2026-02-31", "dateTime": "soon"}',
                   '{"reminders": {"useDefault": "yes"}, "attendees": "everyone", "iCalUID": 7, "location": ["x"]}'
              FROM calworker.accounts
            """)

        _ = try CalworkerSchema.migrator.migrate(on: db)

        let row = try db.query(
            """
            SELECT original_start_date IS NULL AND original_start_time IS NULL AND reminders_use_default IS NULL
                   AND self_response IS NULL, ical_uid, location FROM calworker.events WHERE event_id = 'bad1'
            """)[0]
        #expect(try row.decode(Bool.self, at: 0), "no value the column cannot hold")
        #expect(try row.decodeOptional(String.self, at: 1) == "7" && row.decodeOptional(String.self, at: 2) == #"["x"]"#, "text kept as text")
    }

    func figures(_ result: JobResult) throws -> JobFigures {
        guard case .success(let figures) = result else { throw UpgradeError.syncFailed("\(result)") }
        return figures
    }

    enum UpgradeError: Error { case syncFailed(String) }

    func copyAsThePreviousReleaseWroteIt(from source: PostgresConnection, to db: PostgresConnection) throws {
        for row in try source.query(
            """
            SELECT id, email, owner, state, key_id, encode(refresh_token, 'hex'), encode(access_token, 'hex'),
                   access_token_expires_at, calendar_list_sync_token, last_synced_at, last_full_sync_at FROM calworker.accounts
            """)
        {
            try db.execute(
                """
                INSERT INTO calworker.accounts (id, email, owner, state, key_id, refresh_token, access_token, access_token_expires_at,
                       calendar_list_sync_token, last_synced_at, last_full_sync_at)
                OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, decode($6, 'hex'), decode($7, 'hex'), $8, $9, $10, $11)
                """,
                [
                    try row.decode(Int64.self, at: 0), try row.decode(String.self, at: 1), try row.decodeOptional(String.self, at: 2),
                    try row.decode(String.self, at: 3), try row.decode(String.self, at: 4), try row.decode(String.self, at: 5),
                    try row.decodeOptional(String.self, at: 6), try row.decodeOptional(Date.self, at: 7),
                    try row.decodeOptional(String.self, at: 8), try row.decodeOptional(Date.self, at: 9),
                    try row.decodeOptional(Date.self, at: 10),
                ])
        }
        for row in try source.query(
            """
            SELECT account_id, calendar_id, summary, time_zone, access_role, is_primary, deleted, excluded, sync_token,
                   full_sync_generation, last_synced_at FROM calworker.calendars
            """)
        {
            try db.execute(
                """
                INSERT INTO calworker.calendars (account_id, calendar_id, summary, time_zone, access_role, is_primary, deleted, excluded,
                       sync_token, full_sync_generation, last_synced_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """,
                [
                    try row.decode(Int64.self, at: 0), try row.decode(String.self, at: 1), try row.decodeOptional(String.self, at: 2),
                    try row.decodeOptional(String.self, at: 3), try row.decode(String.self, at: 4), try row.decode(Bool.self, at: 5),
                    try row.decode(Bool.self, at: 6), try row.decode(Bool.self, at: 7), try row.decodeOptional(String.self, at: 8),
                    try row.decode(Int64.self, at: 9), try row.decodeOptional(Date.self, at: 10),
                ])
        }
        for row in try source.query(
            """
            -- The tombstones of deleted mirrors in the shape that release wrote them (today's are
            -- in the engine's neutral layout).
            SELECT account_id, calendar_id, max(seen_generation), jsonb_build_object('items', jsonb_agg(
                       CASE WHEN raw ? 'mirror' THEN jsonb_build_object(
                           'id', raw->'id', 'status', raw->'status', 'recurringEventId', raw->'seriesId',
                           'extendedProperties', jsonb_build_object('private', jsonb_build_object('calworkerMirror', raw->'mirror')))
                       ELSE raw END))::text
              FROM calworker.events GROUP BY account_id, calendar_id
            """)
        {
            try db.execute(
                Self.previousReleaseUpsert,
                [
                    try row.decode(Int64.self, at: 0), try row.decode(String.self, at: 1), PostgresJSON(try row.decode(String.self, at: 3)),
                    try row.decode(Int64.self, at: 2),
                ])
        }
    }

    func counts(_ db: PostgresConnection) throws -> [Int] {
        try ["accounts", "calendars", "events", "push_channels", "feeds"].map { table in
            // The table names are this list's own constants.
            try db.query("SELECT count(*) FROM calworker.\(table)")[0].decode(Int.self, at: 0)
        }
    }

    func tokens(_ db: PostgresConnection) throws -> [String] {
        try db.query(
            """
            SELECT calendar_id || '=' || coalesce(sync_token, '-') FROM calworker.calendars
            UNION ALL SELECT 'list=' || coalesce(calendar_list_sync_token, '-') FROM calworker.accounts ORDER BY 1
            """
        ).map { try $0.decode(String.self, at: 0) }
    }

    /// Each event's neutral fields, one line per event.
    func neutralColumns(_ db: PostgresConnection) throws -> [String] {
        try db.query(
            """
            SELECT concat_ws('|', event_id, status, summary, start_time, start_date, original_start_date, original_start_time,
                             original_start_time_zone, ical_uid, location, visibility, reminders_use_default, mirror_source, self_response,
                             is_mirror, etag)
              FROM calworker.events ORDER BY calendar_id, event_id
            """
        ).map { try $0.decode(String.self, at: 0) }
    }
}
