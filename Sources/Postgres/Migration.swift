/// One module's part of one step of the `calworker` schema.
///
/// Each module declares the parts that create and change its own tables; `Migrator` puts the
/// parts of all modules together by version, the schema's one recorded order. A released
/// step's effect never changes: a change is a new step.
public struct Migration: Sendable {
    /// The step's place in the order every module shares.
    public let version: Int
    public let name: String
    /// Constant SQL of this repository (run with the simple query protocol, without parameters).
    public let sql: StaticString

    public init(version: Int, name: String, sql: StaticString) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
