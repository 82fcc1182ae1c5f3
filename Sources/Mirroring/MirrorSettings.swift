public import Postgres

/// An owner's busy blocks: their title and how many days ahead they reach
/// (`calworker.owner_settings`; no row means the defaults).
public struct MirrorSettings: Sendable, Equatable, Encodable {
    public var owner: String
    /// Default `Busy`.
    public var busyTitle: String
    /// Default 90; from 1 to 730.
    public var mirrorDays: Int

    public static let defaultTitle = "Busy"
    public static let defaultDays = 90

    /// The owner's settings, the defaults where none are stored.
    public static func load(owner: String, on db: PostgresConnection) throws -> MirrorSettings {
        let row = try db.query("SELECT busy_title, mirror_days FROM calworker.owner_settings WHERE owner = $1", [owner]).first
        return MirrorSettings(
            owner: owner, busyTitle: try row?.decodeOptional(at: 0) ?? defaultTitle,
            mirrorDays: try row?.decodeOptional(at: 1) ?? defaultDays)
    }

    /// Changes what is given and keeps the rest; returns the settings now in force.
    @discardableResult
    public static func save(owner: String, busyTitle: String?, mirrorDays: Int?, on db: PostgresConnection) throws -> MirrorSettings {
        try db.execute(
            """
            INSERT INTO calworker.owner_settings (owner, busy_title, mirror_days) VALUES ($1, coalesce($2, 'Busy'), coalesce($3, 90))
            ON CONFLICT (owner) DO UPDATE SET busy_title = coalesce($2, owner_settings.busy_title),
                                              mirror_days = coalesce($3, owner_settings.mirror_days)
            """, [owner, busyTitle, mirrorDays])
        return try load(owner: owner, on: db)
    }
}
