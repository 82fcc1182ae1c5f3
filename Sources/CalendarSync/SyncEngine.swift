public import CalendarProviders
public import Mirroring
public import Push

/// What the engine is wired with for one run: the calendar services it can speak (their
/// clients shared by the account's sync, every mirror lane and the channel upkeep) and push.
/// The engine knows no service by name; `Providers` picks one by the account's `provider`.
public struct SyncEngine: Sendable {
    public var providers: Providers
    /// Push notification channels; nil when CALWORKER_PUSH_URL is not set.
    public var push: PushSettings?
    /// Where owners' time zones are kept (for working hours in mirror policies).
    public var timeZones: OwnerTimeZones

    public init(providers: Providers, push: PushSettings? = nil, timeZones: OwnerTimeZones) {
        self.providers = providers
        self.push = push
        self.timeZones = timeZones
    }
}
