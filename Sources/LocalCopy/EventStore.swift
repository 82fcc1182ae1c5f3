import Accounts
public import CalendarProviders
public import Foundation
public import Postgres

/// The local copy: calendars and events of each account, written page by page so that the
/// sync token that ends a listing commits with its last page (docs/sync.md: an interrupted sync
/// resumes without losing or duplicating a change).
public struct EventStore: Sendable {
    public init() {}

    /// A calendar as the sync needs it.
    public struct CalendarState: Sendable {
        public var calendarID: String
        public var syncToken: String?
        public var generation: Int64
    }

    /// Calendars to copy: in the list (not deleted) and not excluded by an operator.
    public func calendarsToSync(accountID: Int64, on db: PostgresConnection) throws -> [CalendarState] {
        try db.query(
            """
            SELECT calendar_id, sync_token, full_sync_generation FROM calworker.calendars
             WHERE account_id = $1 AND NOT deleted AND NOT excluded ORDER BY is_primary DESC, calendar_id
            """, [accountID]
        ).map {
            CalendarState(calendarID: try $0.decode(at: 0), syncToken: try $0.decodeOptional(at: 1), generation: try $0.decode(at: 2))
        }
    }

    /// An account's calendars as an operator sees them, with how many live events and busy
    /// blocks each holds in the local copy: one pass over the account's own events by their
    /// primary key.
    public func calendarSummaries(accountID: Int64, on db: PostgresConnection) throws -> [CalendarSummary] {
        try db.query(
            """
            SELECT c.calendar_id, coalesce(c.summary, ''), c.access_role, c.is_primary, c.deleted, c.excluded, c.sync_token IS NOT NULL,
                   count(e.event_id) FILTER (WHERE e.status <> 'cancelled' AND NOT e.is_mirror),
                   count(e.event_id) FILTER (WHERE e.status <> 'cancelled' AND e.is_mirror), c.last_synced_at
              FROM calworker.calendars c
              LEFT JOIN calworker.events e ON e.account_id = c.account_id AND e.calendar_id = c.calendar_id
             WHERE c.account_id = $1
             GROUP BY c.account_id, c.calendar_id
             ORDER BY c.is_primary DESC, c.calendar_id
            """, [accountID]
        ).map { row in
            CalendarSummary(
                calendarID: try row.decode(at: 0), summary: try row.decode(at: 1), accessRole: try row.decode(at: 2),
                primary: try row.decode(at: 3), deleted: try row.decode(at: 4), excluded: try row.decode(at: 5),
                synced: try row.decode(at: 6), events: try row.decode(at: 7), mirrors: try row.decode(at: 8),
                lastSyncedAt: try row.decodeOptional(at: 9))
        }
    }

    /// How many calendars each account has in its list (deleted ones included), by account.
    public func calendarCounts(on db: PostgresConnection) throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for row in try db.query("SELECT account_id, count(*) FROM calworker.calendars GROUP BY account_id") {
            counts[try row.decode(Int64.self, at: 0)] = try row.decode(Int.self, at: 1)
        }
        return counts
    }

    /// Whether the account has this calendar in its list.
    public func hasCalendar(accountID: Int64, calendarID: String, on db: PostgresConnection) throws -> Bool {
        !(try db.query("SELECT 1 FROM calworker.calendars WHERE account_id = $1 AND calendar_id = $2", [accountID, calendarID]).isEmpty)
    }

    /// Takes a calendar out of mirroring or puts it back; false when the account has no such calendar.
    public func setExcluded(accountID: Int64, calendarID: String, _ excluded: Bool, on db: PostgresConnection) throws -> Bool {
        try db.execute(
            "UPDATE calworker.calendars SET excluded = $3 WHERE account_id = $1 AND calendar_id = $2",
            [accountID, calendarID, excluded]) == 1
    }

    /// The sync token of the account's last calendar listing, if it finished one.
    public func calendarListSyncToken(accountID: Int64, on db: PostgresConnection) throws -> String? {
        try AccountStore(cipher: nil).calendarListCursor(id: accountID, on: db)
    }

    /// A calendar the service no longer knows (404): deleted until the calendar list says otherwise.
    public func markDeleted(accountID: Int64, calendarID: String, on db: PostgresConnection) throws {
        try db.execute("UPDATE calworker.calendars SET deleted = true WHERE account_id = $1 AND calendar_id = $2", [accountID, calendarID])
    }

    /// Applies calendar list entries (all pages of one listing) and its sync token together.
    /// A full listing (`complete`) marks calendars it did not mention as deleted.
    public func applyCalendarList(
        accountID: Int64, entries: [CalendarEntry], syncToken: String?, complete: Bool,
        on db: PostgresConnection
    ) throws {
        try db.transaction { db in
            if !entries.isEmpty {
                try db.execute(
                    """
                    INSERT INTO calworker.calendars (account_id, calendar_id, summary, time_zone, access_role, is_primary, deleted)
                    SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::boolean[])
                    ON CONFLICT (account_id, calendar_id) DO UPDATE
                       SET summary = EXCLUDED.summary, time_zone = EXCLUDED.time_zone, access_role = EXCLUDED.access_role,
                           is_primary = EXCLUDED.is_primary, deleted = EXCLUDED.deleted
                    """,
                    [
                        accountID, entries.map(\.id), entries.map(\.summary), entries.map(\.timeZone), entries.map(\.accessRole),
                        entries.map(\.primary), entries.map(\.deleted),
                    ])
            }
            if complete {
                try db.execute(
                    """
                    UPDATE calworker.calendars SET deleted = true
                     WHERE account_id = $1 AND NOT deleted AND NOT (calendar_id = ANY($2::text[]))
                    """, [accountID, entries.map(\.id)])
            }
            try AccountStore(cipher: nil).setCalendarListCursor(id: accountID, syncToken, on: db)
        }
    }

    /// Starts a full sync: a new generation, and no sync token until the listing completes.
    /// Nothing is deleted: rows the full listing does not return become tombstones at its end.
    public func beginFullSync(accountID: Int64, calendarID: String, on db: PostgresConnection) throws -> Int64 {
        try db.query(
            """
            UPDATE calworker.calendars SET full_sync_generation = full_sync_generation + 1, sync_token = NULL
             WHERE account_id = $1 AND calendar_id = $2 RETURNING full_sync_generation
            """, [accountID, calendarID])[0].decode(Int64.self, at: 0)
    }

    /// Stores one page of events in one transaction; on the last page (`page.nextCursor`
    /// set) also the sync token, and after a full listing the tombstones for rows it did not
    /// return. Returns how many events were written.
    @discardableResult
    public func applyPage(
        accountID: Int64, calendarID: String, page: ChangePage, generation: Int64, fullSync: Bool,
        on db: PostgresConnection
    ) throws -> Int {
        try db.transaction { db in
            let written = try upsert(page.events, accountID: accountID, calendarID: calendarID, generation: generation, on: db)
            if let token = page.nextCursor {
                if fullSync {
                    try db.execute(
                        """
                        UPDATE calworker.events
                           SET status = 'cancelled', raw = raw || '{"status": "cancelled"}', synced_at = now()
                         WHERE account_id = $1 AND calendar_id = $2 AND seen_generation < $3 AND status <> 'cancelled'
                        """, [accountID, calendarID, generation])
                }
                try db.execute(
                    """
                    UPDATE calworker.calendars SET sync_token = $3, last_synced_at = now() WHERE account_id = $1 AND calendar_id = $2
                    """, [accountID, calendarID, token])
            }
            return written
        }
    }

    /// Deletes up to `batch` tombstones (cancelled events) last seen more than `olderThan` ago,
    /// past any sync token's lifetime; returns how many.
    public func pruneTombstones(olderThan age: Duration, batch: Int, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute(
            """
            DELETE FROM calworker.events WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM calworker.events WHERE status = 'cancelled' AND synced_at < now() - $1::interval ORDER BY synced_at LIMIT $2))
            """, [age, batch])
    }

    /// Stores events outside a listing (the answers to our own writes), with the calendar's
    /// current generation, so a full resync in progress still counts them as seen.
    public func applyEvents(accountID: Int64, calendarID: String, _ batch: EventBatch, on db: PostgresConnection) throws {
        let generation =
            try db.query(
                "SELECT full_sync_generation FROM calworker.calendars WHERE account_id = $1 AND calendar_id = $2",
                [accountID, calendarID]
            ).first?.decode(Int64.self, at: 0) ?? 0
        try upsert(batch, accountID: accountID, calendarID: calendarID, generation: generation, on: db)
    }

    @discardableResult
    private func upsert(_ batch: EventBatch, accountID: Int64, calendarID: String, generation: Int64, on db: PostgresConnection) throws -> Int {
        let json = String(decoding: batch.json, as: UTF8.self)
        let parameters: [any PostgresEncodable] = [accountID, calendarID, PostgresJSON(json), generation, batch.layout.mirrorMarkValue]
        return try db.execute(Self.upsert, parameters + batch.layout.paths.map { $0 as any PostgresEncodable }, prepared: true)
    }

    /// Upserts every item of a batch straight from the service's JSON, each field read at the
    /// path the batch's `EventLayout` gives (`$6` to `$32`, in `EventLayout.paths` order). A
    /// cancelled item (a tombstone from an incremental listing carries little more than its
    /// id) keeps the fields the row already had, so the mirror planner still knows what was
    /// cancelled.
    static let upsert = """
        INSERT INTO calworker.events AS ev (account_id, calendar_id, event_id, etag, status, summary,
               start_date, start_time, start_time_zone, end_date, end_time, end_time_zone, recurrence,
               recurring_event_id, original_start_date, original_start_time, original_start_time_zone, transparency, event_type, updated,
               is_mirror, mirror_source, ical_uid, location, visibility, reminders_use_default, self_response, raw, seen_generation, synced_at)
        SELECT $1, $2, e #>> $6, e #>> $7, coalesce(e #>> $8, 'confirmed'), e #>> $9,
               (e #>> $10)::date, (e #>> $11)::timestamptz, e #>> $12,
               (e #>> $13)::date, (e #>> $14)::timestamptz, e #>> $15,
               CASE WHEN jsonb_typeof(e #> $16) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(e #> $16)) END,
               e #>> $17, (e #>> $18)::date, (e #>> $19)::timestamptz, e #>> $20, e #>> $21, coalesce(e #>> $22, 'default'),
               (e #>> $23)::timestamptz, coalesce(e #>> $24, '') = $5, e #>> $25, e #>> $26, e #>> $27, e #>> $28,
               CASE WHEN jsonb_typeof(e #> $29) = 'boolean' THEN (e #>> $29)::boolean END,
               -- The calendar's own user among the attendees (attendees that are not a list, or a
               -- "self" that is not true, written by another program, count as none).
               -- The subquery runs only for an event with attendees: most have none.
               CASE WHEN jsonb_typeof(e #> $30) = 'array' THEN
                   (SELECT a #>> $32 FROM jsonb_array_elements(e #> $30) a WHERE a #> $31 = 'true'::jsonb LIMIT 1) END,
               e, $4, now()
          FROM jsonb_array_elements(coalesce($3::jsonb->'items', '[]'::jsonb)) AS e
        ON CONFLICT (account_id, calendar_id, event_id) DO UPDATE SET
               etag = EXCLUDED.etag, status = EXCLUDED.status, updated = EXCLUDED.updated, seen_generation = EXCLUDED.seen_generation,
               synced_at = now(),
               summary = CASE WHEN EXCLUDED.status = 'cancelled' THEN coalesce(EXCLUDED.summary, ev.summary) ELSE EXCLUDED.summary END,
               start_date = CASE WHEN EXCLUDED.status = 'cancelled' AND EXCLUDED.start_date IS NULL AND EXCLUDED.start_time IS NULL
                                 THEN ev.start_date ELSE EXCLUDED.start_date END,
               start_time = CASE WHEN EXCLUDED.status = 'cancelled' AND EXCLUDED.start_date IS NULL AND EXCLUDED.start_time IS NULL
                                 THEN ev.start_time ELSE EXCLUDED.start_time END,
               start_time_zone = CASE WHEN EXCLUDED.status = 'cancelled' AND EXCLUDED.start_date IS NULL AND EXCLUDED.start_time IS NULL
                                 THEN ev.start_time_zone ELSE EXCLUDED.start_time_zone END,
               end_date = CASE WHEN EXCLUDED.status = 'cancelled' AND EXCLUDED.end_date IS NULL AND EXCLUDED.end_time IS NULL
                               THEN ev.end_date ELSE EXCLUDED.end_date END,
               end_time = CASE WHEN EXCLUDED.status = 'cancelled' AND EXCLUDED.end_date IS NULL AND EXCLUDED.end_time IS NULL
                               THEN ev.end_time ELSE EXCLUDED.end_time END,
               end_time_zone = CASE WHEN EXCLUDED.status = 'cancelled' AND EXCLUDED.end_date IS NULL AND EXCLUDED.end_time IS NULL
                               THEN ev.end_time_zone ELSE EXCLUDED.end_time_zone END,
               recurrence = CASE WHEN EXCLUDED.status = 'cancelled' THEN coalesce(EXCLUDED.recurrence, ev.recurrence) ELSE EXCLUDED.recurrence END,
               recurring_event_id = coalesce(EXCLUDED.recurring_event_id, ev.recurring_event_id),
               original_start_date = CASE WHEN EXCLUDED.original_start_date IS NULL AND EXCLUDED.original_start_time IS NULL
                                          THEN ev.original_start_date ELSE EXCLUDED.original_start_date END,
               original_start_time = CASE WHEN EXCLUDED.original_start_date IS NULL AND EXCLUDED.original_start_time IS NULL
                                          THEN ev.original_start_time ELSE EXCLUDED.original_start_time END,
               original_start_time_zone = CASE WHEN EXCLUDED.original_start_date IS NULL AND EXCLUDED.original_start_time IS NULL
                                          THEN ev.original_start_time_zone ELSE EXCLUDED.original_start_time_zone END,
               mirror_source = CASE WHEN EXCLUDED.status = 'cancelled' THEN coalesce(EXCLUDED.mirror_source, ev.mirror_source) ELSE EXCLUDED.mirror_source END,
               ical_uid = coalesce(EXCLUDED.ical_uid, ev.ical_uid),
               location = CASE WHEN EXCLUDED.status = 'cancelled' THEN coalesce(EXCLUDED.location, ev.location) ELSE EXCLUDED.location END,
               visibility = CASE WHEN EXCLUDED.status = 'cancelled' THEN coalesce(EXCLUDED.visibility, ev.visibility) ELSE EXCLUDED.visibility END,
               reminders_use_default = CASE WHEN EXCLUDED.status = 'cancelled' THEN coalesce(EXCLUDED.reminders_use_default, ev.reminders_use_default)
                                            ELSE EXCLUDED.reminders_use_default END,
               self_response = CASE WHEN EXCLUDED.status = 'cancelled' THEN coalesce(EXCLUDED.self_response, ev.self_response)
                                    ELSE EXCLUDED.self_response END,
               transparency = CASE WHEN EXCLUDED.status = 'cancelled' THEN coalesce(EXCLUDED.transparency, ev.transparency) ELSE EXCLUDED.transparency END,
               event_type = EXCLUDED.event_type,
               is_mirror = EXCLUDED.is_mirror OR (EXCLUDED.status = 'cancelled' AND ev.is_mirror),
               raw = CASE WHEN EXCLUDED.status = 'cancelled' THEN ev.raw || EXCLUDED.raw ELSE EXCLUDED.raw END
        """
}

/// One calendar of an account, for operators (`calworker calendars list`, `accounts show`).
public struct CalendarSummary: Sendable, Encodable {
    public var calendarID: String
    public var summary: String
    public var accessRole: String
    public var primary: Bool
    public var deleted: Bool
    public var excluded: Bool
    /// A listing of it has finished (it has a sync token).
    public var synced: Bool
    public var events: Int
    public var mirrors: Int
    /// When a listing of it last finished.
    public var lastSyncedAt: Date?

    /// Owned, listed and not excluded: its events are mirrored and it receives busy blocks.
    public var participates: Bool { accessRole == "owner" && !deleted && !excluded }
}
