public import Backup
public import CalendarProviders
public import CalendarSync
public import Crypto
public import Foundation
public import Google
public import Media
public import Metrics
import Mirroring
public import Notify
public import Push
public import Thumbnails

/// What job handlers need from the process's configuration, handed to `JobKinds.registry`.
/// Jobs do not read the environment themselves, so tests build one directly.
public struct JobEnvironment: Sendable {
    public var google: GoogleSettings
    /// Push notification channels; nil when CALWORKER_PUSH_URL is not set.
    public var push: PushSettings?
    /// Calendar services beside Google, by the `provider` an account row names (tests add an
    /// in-memory one here; later providers are wired the same way).
    public var otherProviders: [String: @Sendable (MetricsRegistry) -> any ProviderDirectory] = [:]
    /// Nil when `CALWORKER_TOKEN_KEY` is not set: sync jobs then fail and say so.
    public var tokenCipher: TokenCipher?
    /// Where photos, thumbnails and backups are read and written.
    public var media = MediaSettings()
    /// Thumbnails, with the most pixels a photo may claim before it is refused unread.
    public var thumbnailer = Thumbnailer()
    /// How long run history is kept (`CALWORKER_HISTORY_RETENTION`); a cleanup job's
    /// `runs_after` overrides it for that job.
    public var historyRetention: Duration = .seconds(30 * 86_400)
    /// Backup keys, default target, spool and PostgreSQL's tools (the media settings above are
    /// the ones backups use too).
    public var backup = BackupSettings()
    /// E-mail, webhooks, alert recipients and templates.
    public var notify = NotifySettings()
    /// Where iCalendar feeds are published (`CALWORKER_FEEDS_TARGET`); nil: no feeds, or an
    /// unusable target (then `feedsTargetProblem` says why).
    public var feedsTarget: MediaLocation?
    /// Why `CALWORKER_FEEDS_TARGET` cannot be used, when it is set but unusable.
    public var feedsTargetProblem: String?
    /// The clock the mirror window is measured from (tests pin it to a date).
    public var now: @Sendable () -> Date = { Date() }

    public init(
        google: GoogleSettings = GoogleSettings(
            apiURL: "https://www.googleapis.com/calendar/v3",
            tokenURL: "https://oauth2.googleapis.com/token",
            clientID: "", clientSecret: ""),
        tokenCipher: TokenCipher? = nil
    ) {
        self.google = google
        self.tokenCipher = tokenCipher
    }
}

extension JobEnvironment {
    /// The engine for one run: every provider this worker speaks, each with clients made once
    /// for the run and shared by the account's sync, its mirror lanes and its channel upkeep.
    public func syncEngine(metrics: MetricsRegistry) -> SyncEngine {
        var directories: [String: any ProviderDirectory] = ["google": GoogleProviders(settings: google, cipher: tokenCipher, metrics: metrics)]
        for (kind, make) in otherProviders { directories[kind] = make(metrics) }
        return SyncEngine(
            providers: Providers(directories), push: push,
            timeZones: OwnerTimeZones { owner, db in try OwnerReminders.timeZone(owner: owner, on: db) })
    }
}
