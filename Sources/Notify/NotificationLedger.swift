import Basics
import Foundation
import HTTPClient
public import Postgres
import Redaction

/// The exactly-once ledger (`calworker.notifications`): a message is claimed before it is sent
/// and marked after. Only one claimer wins a key; a claim whose worker died (its lease ran out
/// while `sending`) is taken over and the message sent again with the same Message-ID or
/// delivery id, so the receiving side can tell it is the same message.
public struct NotificationLedger {
    let db: PostgresConnection
    /// How long a claim holds before another worker may take it over (longer than a send).
    var lease: Duration = .seconds(300)
    /// Tries per message before it stays failed.
    var maxAttempts = 5

    struct Claim {
        var id: Int64
        var attempt: Int
        /// True when an earlier attempt claimed it and never marked it: it may have gone out.
        var resumed: Bool
    }

    /// The claim, or nil when the message was sent already or another worker is sending it now.
    func claim(kind: String, key: String, recipient: String, channel: String, subject: String) throws -> Claim? {
        let rows = try db.query(
            """
            INSERT INTO calworker.notifications (kind, key, recipient, channel, state, claimed_until, subject)
            VALUES ($1, $2, $3, $4, 'sending', now() + $5::interval, $6)
            ON CONFLICT (kind, key, recipient, channel) DO UPDATE
               SET state = 'sending', attempts = calworker.notifications.attempts + 1, claimed_until = now() + $5::interval
             WHERE calworker.notifications.state <> 'sent' AND calworker.notifications.claimed_until < now()
               AND calworker.notifications.attempts < $7
            RETURNING id, attempts, last_error IS NOT NULL OR attempts > 1
            """, [kind, key, recipient, channel, lease, subject, maxAttempts])
        guard let row = rows.first else { return nil }
        return Claim(id: try row.decode(at: 0), attempt: try row.decode(at: 1), resumed: try row.decode(at: 2))
    }

    func markSent(_ id: Int64) throws {
        try db.execute(
            "UPDATE calworker.notifications SET state = 'sent', sent_at = now(), claimed_until = NULL, last_error = NULL WHERE id = $1", [id])
    }

    /// A failed send: tried again after `retryAfter`, or never when `permanent`.
    func markFailed(_ id: Int64, error: String, permanent: Bool, retryAfter: Duration = .seconds(60)) throws {
        try db.execute(
            """
            UPDATE calworker.notifications
               SET state = 'failed', last_error = $2, claimed_until = now() + $3::interval,
                   attempts = CASE WHEN $4 THEN $5 ELSE attempts END
             WHERE id = $1
            """, [id, Redactor.clean(error, limit: 2000), retryAfter, permanent, maxAttempts])
    }
}

extension NotificationLedger {
    /// Deletes up to `batch` alerts that went out in a digest more than `olderThan` ago;
    /// returns how many. Alerts still waiting for a digest stay, however old.
    public static func pruneAlerts(olderThan age: Duration, batch: Int, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute(
            """
            DELETE FROM calworker.alerts WHERE id IN (
                SELECT id FROM calworker.alerts WHERE digest_id IS NOT NULL AND raised_at < now() - $1::interval LIMIT $2)
            """, [age, batch])
    }

    /// Deletes up to `batch` messages finished (sent or given up) more than `olderThan` ago
    /// and carrying no alert still kept; returns how many. One being sent stays.
    public static func pruneMessages(olderThan age: Duration, batch: Int, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute(
            """
            DELETE FROM calworker.notifications WHERE id IN (
                SELECT n.id FROM calworker.notifications n
                 WHERE n.state <> 'sending' AND n.created_at < now() - $1::interval
                   AND NOT EXISTS (SELECT 1 FROM calworker.alerts a WHERE a.digest_id = n.id)
                 LIMIT $2)
            """, [age, batch])
    }
}

extension NotificationLedger {
    /// What became of one message to one target.
    enum Delivery: Equatable {
        case sent
        /// Sent already, or another worker is sending it now (a rerun after a crash).
        case alreadyHandled
        case failed(String)
    }

    /// Claims, sends (e-mail, or a signed webhook with `webhookBody`) and marks one message to
    /// one target: the one way every notification goes out exactly once.
    func deliver(
        kind: String, key: String, channel: String, recipient: String, rendered: Templates.Rendered, settings: NotifySettings,
        http: HTTPClient, now: Date, webhookBody: () throws -> Data
    ) throws -> Delivery {
        guard let claim = try claim(kind: kind, key: key, recipient: recipient, channel: channel, subject: rendered.subject) else {
            return .alreadyHandled
        }
        do {
            if channel == "email" {
                try settings.sendMail(rendered, to: recipient, notificationID: claim.id, date: now)
            } else {
                try settings.webhookSender(http).send(to: recipient, body: try webhookBody(), deliveryID: "calworker.n\(claim.id)", now: now)
            }
            try markSent(claim.id)
            return .sent
        } catch {
            try markFailed(claim.id, error: "\(error)", permanent: false, retryAfter: Self.retryAfter(error))
            return .failed("\(error)")
        }
    }

    /// When a failed message is tried again: in a minute, or when the receiver asked for longer
    /// (a webhook's `Retry-After` past what an attempt sleeps).
    static func retryAfter(_ error: any Error) -> Duration {
        max(.seconds(60), (error as? any CalworkerError)?.requestedWait ?? .zero)
    }
}
