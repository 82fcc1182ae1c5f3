import Foundation

/// Where changes meet watch channels: every write to a calendar's events, and every change to
/// an account's calendar list, queues an `exists` message for the channels watching it, one
/// per write (coalescing is the receiver's business, as with Google).
extension EmulatorState {
    /// After any write to a calendar's events (API, admin, control methods, seeding).
    mutating func eventsChanged(calendarID: String) {
        guard push.liveByResource[.events(calendarID: calendarID)] != nil else { return }
        let now = now()
        for key in push.liveKeys(.events(calendarID: calendarID), now: now) {
            // An account that lost the calendar hears no more about it.
            guard (try? access(push.channels[key]!.account, calendarID: calendarID)) != nil else { continue }
            push.enqueue(key, resourceState: "exists", now: now, options: options)
        }
    }

    /// After a change to an account's calendar list.
    mutating func calendarListChanged(account: String) {
        guard push.liveByResource[.calendarList(account: account)] != nil else { return }
        let now = now()
        for key in push.liveKeys(.calendarList(account: account), now: now) {
            push.enqueue(key, resourceState: "exists", now: now, options: options)
        }
    }

    /// Opens a channel on `resource` for `account` and queues its `sync` message.
    ///
    /// - Parameter apiRoot: the API root as the request addressed it, for `resourceUri`.
    mutating func watch(_ resource: PushResource, account: String, request: WatchRequest, apiRoot: String) throws(GoogleAPIError) -> PushChannel {
        let now = now()
        let nowMillis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let expiration = try request.grantedExpiration(nowMillis: nowMillis, lifetimeSeconds: options.channelLifetimeSeconds)
        guard push.liveKey(id: request.id, now: now) == nil else {
            throw GoogleAPIError(code: 400, reason: "channelIdNotUnique", message: "Channel id not unique", status: "INVALID_ARGUMENT")
        }
        let channel = PushChannel(
            key: EventID.random(), id: request.id, account: account, resource: resource,
            resourceID: resource.resourceID(nonce: nonce), resourceURI: resource.resourceURI(apiRoot: apiRoot),
            address: request.address, token: request.token, expirationMillis: expiration)
        push.add(channel, now: now, options: options)
        return push.channels[channel.key]!
    }

    /// `channels.stop`: only the account that opened a live channel may stop it, naming its
    /// id and resource id; anything else is 404, as for a channel that never existed.
    mutating func stopChannel(id: String, resourceID: String, account: String) throws(GoogleAPIError) {
        guard let key = push.liveKey(id: id, now: now()), let channel = push.channels[key], channel.resourceID == resourceID,
            channel.account == account
        else {
            throw GoogleAPIError(code: 404, reason: "notFound", message: "Channel '\(id)' not found", status: "NOT_FOUND")
        }
        push.end(key, as: .stopped)
    }

    /// Ends a live channel as if its expiration had passed now.
    mutating func expireChannel(id: String) throws(GoogleAPIError) {
        let now = now()
        guard let key = push.liveKey(id: id, now: now) else { throw .notFound }
        push.channels[key]!.expirationMillis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        push.end(key, as: .expired)
    }
}
