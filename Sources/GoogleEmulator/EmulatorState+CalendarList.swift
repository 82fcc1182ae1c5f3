/// `calendarList.list`: the account's calendars, full or incremental, paged.
///
/// Entries are never removed from an account's list (removal sets `deleted`), so a page
/// token's cursor is a position in it; entries added after the first page wait for the next
/// incremental list. An incremental list returns entries changed since its token, deleted and
/// hidden ones included, as Google documents.
extension EmulatorState {
    static let calendarListParameters: [String] = [
        "maxResults", "pageToken", "syncToken", "showDeleted", "showHidden", "minAccessRole", "showOwnOrganizationOnly",
    ]

    mutating func listCalendarList(email: String, query: QueryParameters) throws(GoogleAPIError) -> ListPage {
        guard let account = accounts[email] else { throw .notFound }
        var maxResults = 100
        if let text = query.first("maxResults") {
            guard let value = Int(text), value >= 1 else {
                throw .invalid("Invalid value '\(text)'. Values must be within the range: [1, 250]", parameter: "maxResults")
            }
            maxResults = min(value, 250)
        }
        let syncToken = query.first("syncToken").flatMap { $0.isEmpty ? nil : $0 }
        if syncToken != nil, let name = ["minAccessRole", "showOwnOrganizationOnly"].first(where: query.has) {
            throw .invalid("Sync token cannot be used with other parameters: \(name) is not allowed together with syncToken.", parameter: name)
        }
        let showDeleted = query.first("showDeleted") == "true"
        let showHidden = query.first("showHidden") == "true"
        var minRank = 0
        if let role = query.first("minAccessRole") {
            guard let rank = CalendarListEntry.rank(role) else {
                throw .invalid("Invalid value '\(role)' for minAccessRole.", parameter: "minAccessRole")
            }
            minRank = rank
        }
        let scope = "list:\(email)"
        let fingerprint = ListTokens.fingerprint(query, ignoring: ["pageToken", "maxResults", "syncToken"])
        var page: ListTokens.Page
        if let token = query.first("pageToken").flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let parsed = ListTokens.parsePageToken(token, nonce: nonce, scope: scope), parsed.fingerprint == fingerprint,
                parsed.snapshot <= seq, parsed.cursor >= 0
            else { throw .invalid("Invalid page token value.", parameter: "pageToken") }
            page = parsed
            if page.since >= 0 && page.since < account.syncFloor { throw .fullSyncRequired }
        } else if let syncToken {
            guard let since = ListTokens.parseSyncToken(syncToken, nonce: nonce, scope: scope), since <= seq,
                since >= account.syncFloor
            else { throw .fullSyncRequired }
            page = ListTokens.Page(mode: .full, snapshot: seq, cursor: 0, since: since, fingerprint: fingerprint)
        } else {
            page = ListTokens.Page(mode: .full, snapshot: seq, cursor: 0, since: -1, fingerprint: fingerprint)
        }
        let size = pageSize(maxResults)
        var result = ListPage()
        var position = Int(page.cursor)
        var more = false
        while position < account.entries.count {
            let entry = account.entries[position]
            let wanted: Bool
            if entry.createdSeq > page.snapshot {
                wanted = false
            } else if page.since >= 0 {
                wanted = entry.seq > page.since
            } else {
                wanted =
                    (showDeleted || !entry.deleted) && (showHidden || !entry.hidden)
                    && (CalendarListEntry.rank(entry.accessRole) ?? 0) >= minRank
            }
            if wanted {
                if result.items.count == size {
                    more = true
                    break
                }
                result.items.append(entry.rendered(calendar: calendars[entry.calendarID]))
            }
            position += 1
        }
        page.cursor = Int64(position)
        if more {
            result.nextPageToken = ListTokens.pageToken(nonce: nonce, scope: scope, page: page)
        } else {
            result.nextSyncToken = ListTokens.syncToken(nonce: nonce, scope: scope, seq: page.snapshot)
        }
        return result
    }
}
