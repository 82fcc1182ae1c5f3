import Foundation

/// The watch channels and their queued messages, part of `EmulatorState` so a write and the
/// notifications it causes happen under the same lock: a receiver that lists the resource
/// after a message always finds the change.
///
/// Delivery itself (HTTP) runs outside the lock on `PushDeliverer`'s threads, which take the
/// next due message here (`nextDelivery`) and report how it went (`settle`).
struct PushState: Sendable {
    let wake: PushWake
    var channels: [String: PushChannel] = [:]
    /// Channel keys in creation order.
    var order: [String] = []
    /// Live channels: by channel id (unique among them), and by watched resource in creation
    /// order (so the drop draws of one write fall on its channels in a repeatable order).
    var liveByID: [String: String] = [:]
    var liveByResource: [PushResource: [String]] = [:]
    /// Channels with messages queued.
    var pending: Set<String> = []
    var dropDraws = SplitMix64(seed: 1)

    init(wake: PushWake) {
        self.wake = wake
    }

    /// Registers a live channel and queues its `sync` message.
    mutating func add(_ channel: PushChannel, now: Date, options: EmulatorOptions) {
        channels[channel.key] = channel
        order.append(channel.key)
        liveByID[channel.id] = channel.key
        liveByResource[channel.resource, default: []].append(channel.key)
        enqueue(channel.key, resourceState: "sync", now: now, options: options)
    }

    /// The key of the live channel with this id, expiring it first if its time is up.
    mutating func liveKey(id: String, now: Date) -> String? {
        guard let key = liveByID[id] else { return nil }
        if channels[key]!.isExpired(at: now) {
            end(key, as: .expired)
            return nil
        }
        return key
    }

    /// Live channels of a resource (expired ones are ended on the way).
    mutating func liveKeys(_ resource: PushResource, now: Date) -> [String] {
        guard let keys = liveByResource[resource] else { return [] }
        var live: [String] = []
        for key in keys {
            if channels[key]!.isExpired(at: now) { end(key, as: .expired) } else { live.append(key) }
        }
        return live
    }

    /// Ends every live channel whose expiration has passed.
    mutating func expireDue(now: Date) {
        for key in liveByID.values where channels[key]!.isExpired(at: now) { end(key, as: .expired) }
    }

    /// Queues the next message of a live channel (or drops it, with `pushDropRate`).
    mutating func enqueue(_ key: String, resourceState: String, now: Date, options: EmulatorOptions) {
        guard var channel = channels[key], channel.state == .live else { return }
        channel.lastMessageNumber += 1
        if options.pushDropRate > 0 && dropDraws.unit() < options.pushDropRate {
            channel.dropped += 1
        } else {
            let due = now.addingTimeInterval(Double(options.pushDelayMillis) / 1000)
            channel.queue.append(PushChannel.Message(number: channel.lastMessageNumber, resourceState: resourceState, due: due))
            pending.insert(key)
            wake.signal()
        }
        channels[key] = channel
    }

    /// The channel stops or expires: no more messages, queued ones are dropped, and its id is
    /// free again.
    mutating func end(_ key: String, as state: PushChannelInfo.State) {
        guard var channel = channels[key], channel.state == .live else { return }
        channel.state = state
        channel.queue.removeAll()
        channels[key] = channel
        pending.remove(key)
        liveByID[channel.id] = nil
        liveByResource[channel.resource]?.removeAll { $0 == key }
        if liveByResource[channel.resource]?.isEmpty == true { liveByResource[channel.resource] = nil }
    }

    /// Messages queued or awaiting a retry on live channels.
    mutating func pendingCount(now: Date) -> Int {
        expireDue(now: now)
        return pending.reduce(0) { $0 + channels[$1]!.queue.count }
    }

    /// Every channel known, in creation order.
    mutating func infos(now: Date) -> [PushChannelInfo] {
        expireDue(now: now)
        return order.map { channels[$0]!.info }
    }
}
