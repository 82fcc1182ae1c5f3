import Backup
import Configuration
import Feeds
import Foundation
import Jobs
import Media
import Postgres

enum FeedsCommand {
    static let command = Command(
        name: "feeds",
        summary: "Subscribable iCalendar feeds of an owner's calendars: list, create, rotate, delete, publish now",
        usage: """
                   feeds list [--owner O]
                   calworker feeds create --owner O [--account N --calendar ID] [--detail busy|full] [--attendees] [--name NAME]
                   calworker feeds rotate ID
                   calworker feeds delete ID
                   calworker feeds publish ID [--force]
            """,
        details: """
            A feed shows one owner's participating calendars merged, or (--account and --calendar) one
            calendar, as `busy` (times and the owner's busy title only; the default) or `full` (title,
            location, description; attendees' addresses only with --attendees). It is published to
            CALWORKER_FEEDS_TARGET as <token>.ics, the token being 43 random characters: whoever has
            the address reads the feed, so hand it only to its owner. create and rotate publish at once
            and print the address (under CALWORKER_FEEDS_URL when set). rotate gives a new address and
            deletes the old object, so the old address stops working; delete removes the object and
            then the feed (it refuses, changing nothing, when the object cannot be removed). Feeds are
            brought up to date half a minute after a sync that changed events, and by the scheduled
            `ics_export` (jobs/ics-export.json); an unchanged feed is neither rendered nor rewritten.
            """,
        options: [
            .value("owner", "O", "the platform user whose calendars the feed shows"),
            .value("account", "N", "create: with --calendar, a feed of that one calendar"),
            .value("calendar", "ID", "create: the calendar's id (see calworker calendars list --account N)"),
            .value("detail", "busy|full", "create: what each event shows (default busy)"),
            .flag("attendees", "create: a full feed also lists attendees' addresses"),
            .value("name", "NAME", "create: the feed's name in subscribers' calendar apps"),
            .flag("force", "publish: render even when nothing changed"),
        ]
    ) { arguments, context in
        let action = arguments.positionals.first ?? "list"
        let db = try context.connectCurrent()
        let store = FeedStore()
        func id() throws(CLIError) -> Int64 {
            guard arguments.positionals.count == 2, let id = Int64(arguments.positionals[1]), id > 0 else {
                throw CLIError(.usage, "usage: calworker feeds \(action) ID (see calworker feeds list)")
            }
            return id
        }
        func existing(_ id: Int64) throws -> Feed {
            guard let feed = try store.feed(id: id, on: db) else { throw CLIError(.notFound, "no feed \(id)", hint: "see calworker feeds list") }
            return feed
        }
        switch action {
        case "list":
            let feeds = try store.list(owner: arguments.value("owner"), on: db).map { Listed(feed: $0, url: address(of: $0, context)) }
            context.emit(feeds) {
                if feeds.isEmpty { return "no feeds yet; make one with calworker feeds create --owner O" }
                var table = Table(headers: ["ID", "OWNER", "SHOWS", "DETAIL", "EVENTS", "PUBLISHED", "ADDRESS"])
                for row in feeds {
                    let feed = row.feed
                    table.add([
                        String(feed.id), feed.owner, feed.calendarID.map { "\(feed.accountID!)/\($0)" } ?? "all calendars",
                        feed.detail + (feed.attendees ? "+attendees" : ""), feed.events.map(String.init) ?? "-",
                        feed.publishedAt.map { Formatting.shortTimestamp($0) } ?? (feed.lastError.map { "failed: \($0.prefix(40))" } ?? "not yet"),
                        row.url,
                    ])
                }
                return table.render()
            }
            return .ok
        case "create":
            guard let owner = arguments.value("owner") else { throw CLIError(.usage, "create needs --owner O") }
            let publisher = try publisher(context)
            var calendar: (account: Int64, id: String)?
            switch (arguments.value("account"), arguments.value("calendar")) {
            case (nil, nil): calendar = nil
            case (let account?, let id?):
                guard let number = Int64(account), number > 0 else { throw CLIError(.usage, "--account must be an account's id, got '\(account)'") }
                calendar = (number, id)
            default: throw CLIError(.usage, "--account and --calendar go together (a feed of one calendar)")
            }
            let feed: Feed
            do {
                feed = try store.create(
                    owner: owner, calendar: calendar, detail: arguments.value("detail") ?? "busy",
                    attendees: arguments.has("attendees"), name: arguments.value("name"), on: db)
            } catch let refusal as FeedStore.Refusal {
                throw CLIError(.usage, refusal.description)
            }
            return try publishNow(feed, publisher, context, db, verb: "created")
        case "rotate":
            let publisher = try publisher(context)
            let old = try existing(try id())
            guard let feed = try store.rotate(id: old.id, on: db) else { throw CLIError(.notFound, "no feed \(old.id)") }
            do {
                try publisher.remove(token: old.token, on: db)
            } catch {
                context.output.err("warning: the old object could not be deleted yet (\(error)); the next full ics_export removes it")
            }
            return try publishNow(feed, publisher, context, db, verb: "rotated; the old address no longer works")
        case "delete":
            let feed = try existing(try id())
            // The object goes first: a feed deleted while its object stays published would say
            // its address no longer works when it still does.
            let publisher = try publisher(context)
            do {
                try publisher.remove(token: feed.token, on: db)
            } catch {
                throw CLIError(
                    .failure, "feed \(feed.id) not deleted: its object could not be removed (\(error)), so its address still works",
                    hint: "check the feeds target's store, then run calworker feeds delete \(feed.id) again")
            }
            try store.delete(id: feed.id, on: db)
            context.emit(["deleted": feed.id]) { "feed \(feed.id) deleted; its address no longer works" }
            return .ok
        case "publish":
            let feed = try existing(try id())
            let outcome = try publisher(context).publish(feed, force: arguments.has("force"), on: db)
            context.emit(["feed": String(feed.id), "outcome": outcome.rawValue]) { "feed \(feed.id): \(outcome.rawValue)" }
            return .ok
        default:
            throw CLIError(.usage, "unknown action '\(action)'; one of list, create, rotate, delete, publish")
        }
    }

    struct Listed: Encodable {
        let feed: Feed
        let url: String

        func encode(to encoder: any Encoder) throws {
            try feed.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(url, forKey: .url)
        }

        enum Key: String, CodingKey { case url }
    }

    static func publisher(_ context: CommandContext) throws(CLIError) -> FeedPublisher {
        if let problem = context.registryEnvironment.feedsTargetProblem {
            throw CLIError(
                .unavailable, problem, hint: "fix CALWORKER_FEEDS_TARGET: s3://bucket/feeds/ or a file:// folder under CALWORKER_MEDIA_ROOT")
        }
        guard let target = context.registryEnvironment.feedsTarget else {
            throw CLIError(
                .usage, "no feeds target", hint: "set CALWORKER_FEEDS_TARGET to s3://bucket/feeds/ or a file:// folder under CALWORKER_MEDIA_ROOT")
        }
        return FeedPublisher(
            stores: MediaStores(settings: context.registryEnvironment.media, metrics: context.metrics), target: target,
            spoolDirectory: context.registryEnvironment.backup.spoolDirectory)
    }

    /// Where subscribers fetch the feed: under CALWORKER_FEEDS_URL, else the object's location.
    static func address(of feed: Feed, _ context: CommandContext) -> String {
        if let base = context.settings.feeds.publicURL { return (base.hasSuffix("/") ? base : base + "/") + feed.objectName }
        return context.registryEnvironment.feedsTarget.map {
            FeedPublisher(stores: MediaStores(settings: .init(), metrics: context.metrics), target: $0)
                .location(of: feed).description
        } ?? "(no CALWORKER_FEEDS_TARGET)"
    }

    static func publishNow(_ feed: Feed, _ publisher: FeedPublisher, _ context: CommandContext, _ db: PostgresConnection, verb: String) throws
        -> ExitCode
    {
        let url = address(of: feed, context)
        do {
            let outcome = try publisher.publish(feed, force: true, on: db)
            let published = try FeedStore().feed(id: feed.id, on: db)
            context.emit(["id": String(feed.id), "url": url, "outcome": outcome.rawValue, "events": String(published?.events ?? 0)]) {
                "feed \(feed.id) \(verb): \(published?.events ?? 0) events\n\(url)"
            }
            return .ok
        } catch {
            throw CLIError(
                .unavailable, "feed \(feed.id) \(verb) but not published: \(error)",
                hint: "check CALWORKER_FEEDS_TARGET and the store; calworker feeds publish \(feed.id) tries again")
        }
    }
}
