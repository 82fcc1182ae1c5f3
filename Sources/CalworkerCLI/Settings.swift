import Accounts
import Backup
import Configuration
import Console
import Feeds
import Foundation
import Google
import Media
import Notify
import Push
import Scheduling
import Thumbnails

/// Every setting calworker reads, module by module: each module's settings type reads its own
/// variables (`ConfigurationSection`), so adding a setting touches that type's file alone.
/// All are read at start, through one reader, so a bad value stops any command at once and
/// `calworker config` lists every variable.
struct Settings: Sendable {
    /// The process's own (database, queue, logs), with every variable read in `entries`.
    var core: Configuration
    var tokenKeys: TokenKeySettings
    var google: GoogleSettings
    var push: PushConfiguration
    var media: MediaSettings
    var thumbnailer: Thumbnailer
    var backup: BackupSettings
    var feeds: FeedSettings
    var notify: NotifySettings
    var console: ConsoleSettings
    var schedule: ScheduleSettings

    static func load(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> Settings {
        var reader = try ConfigurationReader(environment: environment)
        var settings = Settings(
            core: try Configuration(reading: &reader), tokenKeys: try TokenKeySettings(reading: &reader),
            google: try GoogleSettings(reading: &reader), push: try PushConfiguration(reading: &reader),
            media: try MediaSettings(reading: &reader), thumbnailer: try Thumbnailer(reading: &reader),
            backup: try BackupSettings(reading: &reader), feeds: try FeedSettings(reading: &reader),
            notify: try NotifySettings(reading: &reader), console: try ConsoleSettings(reading: &reader),
            schedule: try ScheduleSettings(reading: &reader))
        settings.core.entries = reader.entries
        return settings
    }
}
