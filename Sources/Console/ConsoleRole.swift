/// What a console session may do.
public enum ConsoleRole: String, Sendable, Equatable {
    /// Sees everything and acts: retry, cancel, pause, bulk actions, accounts.
    case `operator` = "operator"
    /// Sees everything; every action is refused.
    case readOnly = "read-only"

    public var mayAct: Bool { self == .operator }
}
