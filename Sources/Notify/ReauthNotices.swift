import Accounts
import Foundation
import HTTPClient
import Postgres

/// "Reconnect your calendar": one notice to the owner of each account Google refused, per
/// time it happened, by e-mail and/or webhook as the owner's notification settings say (the
/// account's own address by default; none when the owner turned notifications off). It goes
/// through the ledger, so two alert runs, or a run after a crash, send it once.
struct ReauthNotices {
    let settings: NotifySettings
    let db: PostgresConnection
    let http: HTTPClient
    let now: Date

    struct Outcome {
        var sent = 0
        var failed = 0
        var errors: [String] = []
    }

    func run() throws -> Outcome {
        var outcome = Outcome()
        guard let template = settings.reauthURLTemplate else { return outcome }
        let ledger = NotificationLedger(db: db, lease: settings.claimLease)
        let waiting = try AccountStore(cipher: nil).needingReauth(limit: 500, on: db)
        for row in try db.query(
            """
            SELECT a.id, a.email, extract(epoch FROM a.since)::bigint, coalesce(s.email, a.email), s.webhook_url, coalesce(s.channel, 'email')
              FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[]) AS a(id, email, since, owner)
              LEFT JOIN calworker.notification_settings s ON s.owner = a.owner
             ORDER BY a.id
            """, [waiting.map(\.account.id), waiting.map(\.account.email), waiting.map(\.since), waiting.map(\.account.owner)])
        {
            let id: Int64 = try row.decode(at: 0)
            let email: String = try row.decode(at: 1)
            let since: Int64 = try row.decode(at: 2)
            let channel: String = try row.decode(at: 5)
            let link = template.replacingOccurrences(of: "{account_id}", with: String(id))
                .replacingOccurrences(of: "{email}", with: email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let rendered = try settings.templates.render("reauth", ["email": email, "link": link])
            var targets: [(channel: String, recipient: String)] = []
            if channel == "email" || channel == "both" { targets.append(("email", try row.decode(String.self, at: 3))) }
            if channel == "webhook" || channel == "both", let url: String = try row.decodeOptional(at: 4) { targets.append(("webhook", url)) }
            let key = "reauth:\(id):\(since)"
            for target in targets {
                let delivery = try ledger.deliver(
                    kind: "reauth", key: key, channel: target.channel, recipient: target.recipient,
                    rendered: rendered, settings: settings, http: http, now: now
                ) {
                    try JSONSerialization.data(
                        withJSONObject: ["type": "reauth", "account_id": id, "email": email, "link": link] as [String: Any],
                        options: [.sortedKeys])
                }
                switch delivery {
                case .sent: outcome.sent += 1
                case .alreadyHandled: break
                case .failed(let error):
                    outcome.failed += 1
                    outcome.errors.append(error)
                }
            }
        }
        return outcome
    }
}
