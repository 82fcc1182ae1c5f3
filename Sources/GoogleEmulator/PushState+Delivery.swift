import Foundation

/// One delivery attempt, everything the deliverer needs to send it outside the lock.
struct PushDelivery: Sendable {
    let key: String
    let number: Int
    let address: String
    /// Google's `X-Goog-*` headers, in the order Google's documentation shows them.
    let headers: [(name: String, value: String)]

    /// How an attempt went, as far as redelivery is concerned.
    enum Outcome: Sendable {
        /// 2xx (or 102): done.
        case delivered
        /// 500, 502, 503, 504, or no answer (refused, reset, timed out): try again later.
        case retryable
        /// Any other answer (4xx, 3xx): a failed message, not retried, as Google does.
        case refused
        /// The emulator stopped while sending: the attempt does not count.
        case interrupted

        init(status: Int) {
            switch status {
            case 200..<300, 102: self = .delivered
            case 500, 502, 503, 504: self = .retryable
            default: self = .refused
            }
        }
    }
}

/// The deliverers' side of `PushState`: which message goes next, and what its attempt did.
extension PushState {
    enum Next: Sendable {
        case deliver(PushDelivery)
        /// Nothing is due; the earliest message falls due then (nil: none queued).
        case idle(until: Date?)
    }

    /// Takes the message that has been due longest, of a channel with no attempt under way.
    mutating func nextDelivery(now: Date) -> Next {
        var best: (key: String, due: Date)?
        var earliestWaiting: Date?
        for key in pending {
            let channel = channels[key]!
            if channel.isExpired(at: now) {
                end(key, as: .expired)
                continue
            }
            guard !channel.inFlight, let head = channel.queue.first else { continue }
            if head.due <= now {
                if best == nil || head.due < best!.due { best = (key, head.due) }
            } else if earliestWaiting == nil || head.due < earliestWaiting! {
                earliestWaiting = head.due
            }
        }
        guard let key = best?.key else { return .idle(until: earliestWaiting) }
        channels[key]!.inFlight = true
        channels[key]!.queue[0].attempts += 1
        let channel = channels[key]!
        let message = channel.queue[0]
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json; utf-8"),
            ("X-Goog-Channel-ID", channel.id),
        ]
        if let token = channel.token { headers.append(("X-Goog-Channel-Token", token)) }
        headers += [
            ("X-Goog-Channel-Expiration", RFC1123.format(millis: channel.expirationMillis)),
            ("X-Goog-Resource-ID", channel.resourceID),
            ("X-Goog-Resource-URI", channel.resourceURI),
            ("X-Goog-Resource-State", message.resourceState),
            ("X-Goog-Message-Number", String(message.number)),
        ]
        return .deliver(PushDelivery(key: key, number: message.number, address: channel.address, headers: headers))
    }

    /// Records an attempt's outcome: the message is done, or waits `pushRetryBaseMillis`
    /// doubled per earlier attempt, or is given up after `pushMaxAttempts`. A channel stopped,
    /// expired or forgotten (reset) meanwhile has dropped the message already.
    mutating func settle(_ delivery: PushDelivery, _ outcome: PushDelivery.Outcome, now: Date, options: EmulatorOptions) {
        guard var channel = channels[delivery.key], channel.state == .live, channel.inFlight,
            channel.queue.first?.number == delivery.number
        else { return }
        channel.inFlight = false
        var done = true
        switch outcome {
        case .delivered:
            channel.delivered += 1
        case .refused:
            channel.failedAttempts += 1
            channel.failed += 1
        case .retryable:
            channel.failedAttempts += 1
            let attempts = channel.queue[0].attempts
            if attempts < options.pushMaxAttempts {
                let backoff = Double(options.pushRetryBaseMillis) / 1000 * Double(1 << min(attempts - 1, 20))
                channel.queue[0].due = now.addingTimeInterval(min(backoff, 86_400))
                done = false
            } else {
                channel.failed += 1
            }
        case .interrupted:
            channel.queue[0].attempts -= 1
            done = false
        }
        if done { channel.queue.removeFirst() }
        if channel.queue.isEmpty { pending.remove(delivery.key) }
        channels[delivery.key] = channel
        // The channel's next message (or this one's retry) may be for another deliverer.
        if !channel.queue.isEmpty { wake.signal() }
    }
}
