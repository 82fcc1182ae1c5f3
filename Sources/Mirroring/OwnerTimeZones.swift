public import Foundation
public import Postgres

/// Where an owner's time zone is kept (their notification settings: one zone for reminders,
/// quiet hours and the working hours of mirror policies). Mirroring asks through this instead
/// of reading another module's table.
public struct OwnerTimeZones: Sendable {
    private let lookup: @Sendable (String, PostgresConnection) throws -> TimeZone?

    /// - Parameter lookup: the owner's zone, nil when they set none.
    public init(_ lookup: @escaping @Sendable (String, PostgresConnection) throws -> TimeZone?) {
        self.lookup = lookup
    }

    /// The owner's zone; UTC when they set none.
    public func zone(owner: String, on db: PostgresConnection) throws -> TimeZone {
        try lookup(owner, db) ?? TimeZone(identifier: "UTC")!
    }
}
