public import Foundation

/// What to do about an account's channels: which resources need a new channel and which
/// channels to stop or to record as expired. Pure, so every rule is tested without Google.
///
/// Rules: every desired resource keeps one live channel that is good for longer than
/// `renewBefore`; when none is, a new one is created and the old ones are stopped only after
/// it exists (never a gap); duplicates and channels of resources no longer desired are
/// stopped; channels past their expiration are recorded as expired (Google sends nothing more
/// on them, so there is nothing to stop); a channel left pending by a killed run is stopped
/// when Google's first message told us its resource, and recorded as failed otherwise; a
/// channel we stopped on which Google still sent (`stopping`) is stopped again.
public struct ChannelPlan: Sendable, Equatable {
    /// Resources to create a channel for, each with the channels to stop once it exists.
    public var creates: [Resource: [PushChannel]] = [:]
    /// Channels to stop now.
    public var stops: [PushChannel] = []
    /// Channels past their expiration, to record as such.
    public var expired: [PushChannel] = []
    /// Pending channels abandoned without a resource id: nothing to stop, recorded as failed.
    public var abandoned: [PushChannel] = []

    public typealias Resource = PushChannel.Resource

    public var isEmpty: Bool { creates.isEmpty && stops.isEmpty && expired.isEmpty && abandoned.isEmpty }

    /// How long a channel may stay pending before it is taken as abandoned (its watch call
    /// takes seconds; a run killed between asking and recording leaves it behind).
    public static let pendingLimit: TimeInterval = 600

    /// How long a resource whose channel Google refused waits before the next try: an account
    /// on five-minute polling would otherwise ask again at every sync.
    public static let retryAfterFailure: TimeInterval = 3600

    /// - Parameter failed: resources whose last channel was refused within `retryAfterFailure`:
    ///   not asked for again yet.
    public static func plan(
        desired: Set<Resource>, channels: [PushChannel], now: Date, renewBefore: TimeInterval,
        failed: Set<Resource> = []
    ) -> ChannelPlan {
        var plan = ChannelPlan()
        var live: [Resource: [PushChannel]] = [:]
        for channel in channels where channel.state == .stopping {
            // Stopped before, yet Google still sends on it: stop it again (or, without a
            // resource id to name it, record it as failed).
            if channel.resourceID == nil { plan.abandoned.append(channel) } else { plan.stops.append(channel) }
        }
        for channel in channels where channel.state == .pending || channel.state == .active {
            if let expires = channel.expiresAt, expires <= now {
                plan.expired.append(channel)
            } else if channel.state == .pending && now.timeIntervalSince(channel.createdAt) > pendingLimit {
                if channel.resourceID == nil { plan.abandoned.append(channel) } else { plan.stops.append(channel) }
            } else {
                live[channel.resource, default: []].append(channel)
            }
        }
        for (resource, channels) in live where !desired.contains(resource) {
            // A fresh pending one without a resource yet is left to become stale (above).
            plan.stops += channels.filter { $0.resourceID != nil }
        }
        for resource in desired.sorted() {
            let channels = (live[resource] ?? []).sorted { ($0.expiresAt ?? .distantFuture) > ($1.expiresAt ?? .distantFuture) }
            let healthy = channels.filter { channel in
                channel.expiresAt.map { $0.timeIntervalSince(now) > renewBefore } ?? (channel.state == .pending)
            }
            if let keep = healthy.first {
                plan.stops += channels.filter { $0.channelID != keep.channelID && $0.resourceID != nil }
            } else if !failed.contains(resource) || !channels.isEmpty {
                plan.creates[resource] = channels
            }
        }
        plan.stops.sort { $0.channelID < $1.channelID }
        return plan
    }
}
