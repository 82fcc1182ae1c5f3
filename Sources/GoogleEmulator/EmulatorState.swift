import Foundation

/// Everything the emulator knows, kept behind one `Mutex` (see `EmulatorCore`): each request
/// runs under the lock from start to end, so a request sees and leaves a consistent state.
struct EmulatorState: Sendable {
    struct RefreshToken: Sendable {
        let email: String
        var revoked = false
    }

    struct AccessToken: Sendable {
        let email: String
        let expires: Date
    }

    /// Random per emulator run and part of every sync and page token, so a token from an
    /// earlier run (whose sequence numbers meant something else) is refused, not misread.
    let nonce: String
    /// The change sequence: one counter for every write of every calendar and calendar list.
    private(set) var seq: Int64 = 0
    private var lastNow = Date(timeIntervalSince1970: 0)
    var accounts: [String: Account] = [:]
    var accountOrder: [String] = []
    var calendars: [String: StoredCalendar] = [:]
    var calendarOrder: [String] = []
    var refreshTokens: [String: RefreshToken] = [:]
    var accessTokens: [String: AccessToken] = [:]
    var options = EmulatorOptions() {
        didSet {
            pageSizes = SplitMix64(seed: options.shortPagesSeed)
            push.dropDraws = SplitMix64(seed: options.pushSeed)
        }
    }
    var pageSizes = SplitMix64(seed: 1)
    var faults = FaultState()
    /// Requests served, by method, route template and status.
    var stats: [RequestStat: Int] = [:]
    /// When each account's API requests of the last minute arrived (for `userRequestsPerMinute`).
    var recentRequests: [String: [Date]] = [:]
    /// Every account's API requests of the last minute (for `projectRequestsPerMinute`).
    var projectRequests = RequestWindow()
    /// Watch channels and the messages queued for them.
    var push: PushState

    init(nonce: String, pushWake: PushWake) {
        self.nonce = nonce
        self.push = PushState(wake: pushWake)
    }

    /// Forgets everything, watch channels and queued messages included. The new nonce makes
    /// every earlier sync and page token invalid.
    mutating func reset() {
        self = EmulatorState(nonce: EventID.random(), pushWake: push.wake)
    }

    mutating func nextSeq() -> Int64 {
        seq += 1
        return seq
    }

    /// The wall clock, never going backwards: `updated` then orders like the change sequence.
    mutating func now() -> Date {
        lastNow = max(Date(), lastNow)
        return lastNow
    }

    /// Size of the next page: `maxResults`, or with `shortPages` a random size from 0 to it.
    mutating func pageSize(_ maxResults: Int) -> Int {
        guard options.shortPages else { return maxResults }
        let draw = pageSizes.next()
        if draw % 4 == 0 { return 0 }
        return 1 + Int((draw >> 8) % UInt64(maxResults))
    }

    // MARK: accounts and calendars

    @discardableResult
    mutating func ensureAccount(_ email: String) -> Account {
        if let account = accounts[email] { return account }
        let account = Account(email: email)
        accounts[email] = account
        accountOrder.append(email)
        return account
    }

    mutating func addRefreshToken(_ token: String, for email: String) {
        ensureAccount(email)
        refreshTokens[token] = RefreshToken(email: email)
    }

    /// Creates the calendar if new (or updates its summary/time zone) and puts it in the
    /// account's calendar list, restoring an entry that was removed.
    mutating func addCalendar(
        account email: String, id: String, summary: String?, description: String? = nil, timeZone: String?,
        accessRole: String, primary: Bool, hidden: Bool = false, backgroundColor: String? = nil
    ) throws(GoogleAPIError) {
        guard CalendarListEntry.rank(accessRole) != nil else { throw .invalid("accessRole must be freeBusyReader, reader, writer or owner") }
        if let zone = timeZone, TimeZone(identifier: zone) == nil { throw .invalid("unknown time zone \(zone)") }
        ensureAccount(email)
        let seq = nextSeq()
        let now = now()
        if var calendar = calendars[id] {
            let shown = (calendar.summary, calendar.description, calendar.timeZone)
            if let summary { calendar.summary = summary }
            if let description { calendar.description = description }
            if let timeZone { calendar.timeZone = timeZone }
            calendar.seq = seq
            calendars[id] = calendar
            if shown != (calendar.summary, calendar.description, calendar.timeZone) {
                calendarShownChanged(id, seq: seq, except: email)
            }
        } else {
            calendars[id] = StoredCalendar(
                id: id, summary: summary ?? id, description: description, timeZone: timeZone ?? "UTC",
                seq: seq, updated: now)
            calendarOrder.append(id)
        }
        var account = accounts[email]!
        if primary {
            for index in account.entries.indices where account.entries[index].primary && account.entries[index].calendarID != id {
                account.entries[index].primary = false
                account.entries[index].seq = seq
            }
        }
        if let index = account.entryIndex(id) {
            account.entries[index].accessRole = accessRole
            account.entries[index].primary = primary
            account.entries[index].hidden = hidden
            account.entries[index].deleted = false
            if let backgroundColor { account.entries[index].backgroundColor = backgroundColor }
            account.entries[index].seq = seq
        } else {
            var entry = CalendarListEntry(calendarID: id, accessRole: accessRole, primary: primary, hidden: hidden, createdSeq: seq, seq: seq)
            if let backgroundColor { entry.backgroundColor = backgroundColor }
            account.entries.append(entry)
        }
        accounts[email] = account
        calendarListChanged(account: email)
    }

    /// The calendar's summary, description or time zone changed: every other account listing
    /// it sees its entry change (the entry shows them), in its next incremental list and by
    /// a push message.
    private mutating func calendarShownChanged(_ calendarID: String, seq: Int64, except changer: String) {
        for email in accountOrder where email != changer {
            guard let index = accounts[email]!.entryIndex(calendarID), !accounts[email]!.entries[index].deleted else { continue }
            accounts[email]!.entries[index].seq = seq
            calendarListChanged(account: email)
        }
    }

    /// Takes the calendar out of the account's list: the next calendar-list sync reports it
    /// `deleted: true`, and the account can no longer reach it.
    mutating func removeCalendar(account email: String, calendarID: String) throws(GoogleAPIError) {
        guard var account = accounts[email], let index = account.entryIndex(calendarID), !account.entries[index].deleted else {
            throw .notFound
        }
        account.entries[index].deleted = true
        account.entries[index].primary = false
        account.entries[index].seq = nextSeq()
        accounts[email] = account
        calendarListChanged(account: email)
    }

    /// The calendar list entry through which `email` reaches `calendarID` (`primary` allowed);
    /// 404 when the account does not have it, as Google answers for a calendar you cannot see.
    func access(_ email: String, calendarID: String) throws(GoogleAPIError) -> CalendarListEntry {
        guard let account = accounts[email] else { throw .notFound }
        let id = calendarID == "primary" ? (account.primaryCalendarID ?? calendarID) : calendarID
        guard let index = account.entryIndex(id), !account.entries[index].deleted, calendars[id] != nil else { throw .notFound }
        return account.entries[index]
    }

    /// Makes older sync tokens of one calendar (or of every calendar and calendar list) fail
    /// with 410. The sequence moves on, so tokens issued from now on are valid.
    mutating func invalidateSyncTokens(calendarID: String?) throws(GoogleAPIError) {
        let floor = nextSeq()
        if let calendarID {
            guard calendars[calendarID] != nil else { throw .notFound }
            calendars[calendarID]!.syncFloor = floor
        } else {
            for id in calendarOrder { calendars[id]!.syncFloor = floor }
            for email in accountOrder { accounts[email]!.syncFloor = floor }
        }
    }
}
