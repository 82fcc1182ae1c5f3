/// The whole state as JSON (`GET /admin/state`, `GoogleEmulator.state()`), for tests that
/// check the final state of every calendar and for people debugging a demo.
extension EmulatorState {
    var dump: JSONValue {
        let accountList: [JSONValue] = accountOrder.compactMap { accounts[$0] }.map { account in
            let tokens: [JSONValue] = refreshTokens.filter { $0.value.email == account.email }.keys.sorted().map { token in
                .object(["token": .string(token), "revoked": .bool(refreshTokens[token]!.revoked)])
            }
            return .object([
                "email": .string(account.email),
                "refreshTokens": .array(tokens),
                "calendarList": .array(
                    account.entries.map { entry in
                        var object = entry.rendered(calendar: calendars[entry.calendarID]).object ?? [:]
                        object["accessRole"] = .string(entry.accessRole)
                        object["deleted"] = .bool(entry.deleted)
                        return .object(object)
                    }),
            ])
        }
        let calendarList: [JSONValue] = calendarOrder.compactMap { calendars[$0] }.map { calendar in
            var object = calendar.rendered().object ?? [:]
            object["events"] = .array(calendar.order.compactMap { calendar.events[$0.eventID]?.rendered(calendarID: calendar.id) })
            return .object(object)
        }
        return .object([
            "accounts": .array(accountList),
            "calendars": .array(calendarList),
            "sequence": .int(seq),
            "options": options.json,
            "faults": faults.json,
        ])
    }

    var statsJSON: JSONValue {
        let rows: [JSONValue] = stats.sorted { $0.key.description < $1.key.description }.map { key, count in
            .object(["method": .string(key.method), "route": .string(key.route), "status": .int(Int64(key.status)), "count": .int(Int64(count))])
        }
        return .object(["total": .int(Int64(stats.values.reduce(0, +))), "requests": .array(rows)])
    }
}
