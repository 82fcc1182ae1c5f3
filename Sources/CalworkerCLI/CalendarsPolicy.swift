import Accounts
import CalendarSync
import Foundation
import JobArgs
import JobQueue
import Jobs
import MirrorPlanner
import Mirroring
import Postgres
import Worker

/// `calworker calendars policy`: an owner's mirror policies, listed, changed, or tried first.
enum CalendarsPolicy {
    static func run(_ arguments: ParsedArguments, _ context: CommandContext, _ db: PostgresConnection) throws {
        guard let owner = arguments.value("owner"), !owner.isEmpty else { throw CLIError(.usage, "policy needs --owner O") }
        guard let from = arguments.value("from"), let to = arguments.value("to") else {
            if arguments.value("from") != nil || arguments.value("to") != nil {
                throw CLIError(.usage, "--from and --to go together (a pair of calendars)")
            }
            let links = try MirrorPolicyStore.links(owner: owner, on: db)
            context.emit(links) {
                if links.isEmpty { return "owner \(owner): no policies; every pair of calendars is mirrored both ways, busy only" }
                return table(links) + "\nother pairs: mirrored, busy only"
            }
            return
        }
        var link = try MirrorPolicyStore.stored(owner: owner, from: from, to: to, on: db)
        var reverse = try MirrorPolicyStore.stored(owner: owner, from: to, to: from, on: db)
        switch arguments.value("direction") {
        case nil: break
        case "both": (link.enabled, reverse.enabled) = (true, true)
        case "one-way": (link.enabled, reverse.enabled) = (true, false)
        case "none": (link.enabled, reverse.enabled) = (false, false)
        case let other?: throw CLIError(.usage, "--direction is both, one-way or none, got '\(other)'")
        }
        if let detail = arguments.value("detail") {
            let value = detail.replacingOccurrences(of: "-", with: "_")
            guard MirrorLink.Detail(rawValue: value) != nil else {
                throw CLIError(.usage, "--detail is busy, title or title-location, got '\(detail)'")
            }
            link.detail = value
        }
        link.skipAllDay = try yesNo(arguments, "skip-all-day") ?? link.skipAllDay
        link.skipTentative = try yesNo(arguments, "skip-tentative") ?? link.skipTentative
        if let hours = arguments.value("working-hours") { link.workingHours = hours == "none" ? nil : hours }
        if let pattern = arguments.value("skip-title") { link.skipTitle = pattern == "none" ? nil : pattern }
        let changed = [link, reverse]
        do {
            for candidate in changed { try MirrorPolicyStore.validate(candidate, owner: owner, on: db) }
        } catch let refusal as MirrorPolicyStore.Refusal {
            throw CLIError(.usage, refusal.description)
        }
        guard let account = try AccountStore(cipher: nil).firstEnabledID(owner: owner, on: db)
        else { throw CLIError(.notFound, "owner \(owner) has no active account") }
        if arguments.has("dry-run") {
            let engine = context.registryEnvironment.syncEngine(metrics: context.metrics)
            let policy = try MirrorPolicyStore.policy(owner: owner, replacing: changed, timeZones: engine.timeZones, on: db)
            let writes = try GroupMirroring(
                accountID: account, providers: engine.providers, timeZones: engine.timeZones,
                store: AccountStore(cipher: nil),
                db: db,
                metrics: context.metrics, shouldAbort: { false }
            ).plan(policy: policy)
            context.emit(["links": AnyEncodable(changed), "writes": AnyEncodable(writes.map(Planned.init))]) {
                table(changed) + "\n\n" + SyncCommand.render(writes) + "\nnothing saved (dry run): run again without --dry-run to apply"
            }
            return
        }
        try db.transaction { db in
            for candidate in changed { try MirrorPolicyStore.save(candidate, owner: owner, on: db) }
        }
        let sync = try context.registry.enqueue(SyncAccountArgs(.account(account)), queue: context.queue, on: db)
        context.emit(["links": AnyEncodable(changed), "sync_job": AnyEncodable(sync.id)]) {
            table(changed) + "\nsaved; the group's next sync (job \(sync.id)) writes and deletes busy blocks to match"
        }
    }

    static func yesNo(_ arguments: ParsedArguments, _ name: String) throws(CLIError) -> Bool? {
        switch arguments.value(name) {
        case nil: nil
        case "yes": true
        case "no": false
        case let other?: throw CLIError(.usage, "--\(name) is yes or no, got '\(other)'")
        }
    }

    static func table(_ links: [MirrorPolicyStore.StoredLink]) -> String {
        var table = Table(headers: ["FROM", "TO", "MIRRORED", "DETAIL", "FILTERS"])
        for link in links {
            var filters: [String] = []
            if link.skipAllDay { filters.append("no all-day") }
            if link.skipTentative { filters.append("no tentative") }
            if let hours = link.workingHours { filters.append("hours \(hours)") }
            if let pattern = link.skipTitle { filters.append("not /\(pattern)/") }
            table.add([
                link.sourceCalendar, link.targetCalendar, link.enabled ? "yes" : "no", link.detail.replacingOccurrences(of: "_", with: "-"),
                filters.isEmpty ? "-" : filters.joined(separator: ", "),
            ])
        }
        return table.render()
    }

    struct Planned: Encodable {
        var action: String, accountId: Int64, calendarId: String, eventId: String, source: String?
        init(write: MirrorWrite) {
            (action, accountId, calendarId, eventId, source) = (
                write.action.rawValue, write.target.accountID, write.target.calendarID,
                write.eventID, write.mirror?.source
            )
        }
    }
}

/// Any encodable value in a heterogeneous JSON object.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
