import Accounts
import LocalCopy
import MirrorPlanner
import Postgres

/// Reads a sync group's calendars and local copy into the planner's terms.
struct MirrorRepository {
    /// An account of the group, with what the executor needs to write as it.
    struct GroupAccount {
        var id: Int64
        var state: String
        /// The service its calendars are at.
        var provider: String
    }

    struct Group {
        var owner: String
        var accounts: [GroupAccount]
        var participating: [PlannedCalendar]
        var retired: [PlannedCalendar]
        var events: [PlannedEvent]
        /// Participating calendars whose local copy is not complete (never fully listed, or a
        /// full resync under way). Planning over them would take missing sources for deleted
        /// ones and delete their mirrors: the mirror step waits until they are complete.
        var incomplete: [String]
    }

    /// The owner of `accountID` and everything the planner needs about the owner's group.
    /// Accounts needing re-auth stay in: their calendars are still sources (their local copy
    /// is the last known state) and their mirrors must stay as they are.
    static func load(accountID: Int64, on db: PostgresConnection) throws -> Group? {
        let store = AccountStore(cipher: nil)
        guard let owner = try store.owner(of: accountID, on: db) else { return nil }
        let accounts = try store.group(owner: owner, on: db).map {
            GroupAccount(id: $0.id, state: $0.state.rawValue, provider: $0.provider)
        }
        let ids = accounts.map(\.id)
        let copy = EventStore()
        var participating: [PlannedCalendar] = []
        var retired: [PlannedCalendar] = []
        var incomplete: [String] = []
        for calendar in try copy.ownedCalendars(accountIDs: ids, on: db) {
            let planned = PlannedCalendar(accountID: calendar.accountID, calendarID: calendar.calendarID)
            if calendar.excluded {
                retired.append(planned)
            } else {
                participating.append(planned)
                if !calendar.complete { incomplete.append(calendar.calendarID) }
            }
        }
        return Group(
            owner: owner, accounts: accounts, participating: participating, retired: retired,
            events: try copy.plannedEvents(accountIDs: ids, on: db), incomplete: incomplete)
    }
}
