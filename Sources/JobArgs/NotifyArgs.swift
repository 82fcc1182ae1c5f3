import Foundation
public import JobQueue

/// `notify`: `{"reminders": true}` every reminder due now; `{"alerts": true}` one digest of
/// what operators must hear of; `{"alert": {"subject": S, "detail": D, "key": K}}` raises one
/// alert (once per key) for the next digest.
public struct NotifyArgs: JobParameters {
    public static let kind = "notify"

    public struct Alert: Codable, Sendable {
        public var subject: String
        public var detail: String?
        /// Alerts with one key are raised once; by default the subject and detail.
        public var key: String?

        public init(subject: String, detail: String? = nil, key: String? = nil) {
            self.subject = subject
            self.detail = detail
            self.key = key
        }
    }

    public var reminders: Bool?
    public var alerts: Bool?
    public var alert: Alert?

    /// Exactly one of the three.
    public init(reminders: Bool? = nil, alerts: Bool? = nil, alert: Alert? = nil) {
        self.reminders = reminders
        self.alerts = alerts
        self.alert = alert
    }

    public func validate() throws(JobArgsError) {
        let chosen = [reminders == true, alerts == true, alert != nil].filter { $0 }.count
        guard chosen == 1 else {
            throw JobArgsError("notify takes exactly one of {\"reminders\": true}, {\"alerts\": true}, {\"alert\": {\"subject\": ...}}")
        }
        if let alert, alert.subject.trimmingCharacters(in: .whitespaces).isEmpty { throw JobArgsError("alert.subject is empty") }
    }

    public var uniqueKey: String? {
        if reminders == true { return "notify:reminders" }
        if alerts == true { return "notify:alerts" }
        return nil
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case reminders, alerts, alert }

    public init(from decoder: any Decoder) throws {
        try ArgumentNames.refuseUnknown(
            in: decoder, allowed: CodingKeys.allCases.map(\.rawValue),
            "notify takes {\"reminders\": true}, {\"alerts\": true} or {\"alert\": {\"subject\": ...}}")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        reminders = try container.decodeIfPresent(Bool.self, forKey: .reminders)
        alerts = try container.decodeIfPresent(Bool.self, forKey: .alerts)
        alert = try container.decodeIfPresent(Alert.self, forKey: .alert)
    }
}
