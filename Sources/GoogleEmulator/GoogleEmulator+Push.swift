import Synchronization

/// In-process control of push notifications, mirroring `GET /admin/channels` and
/// `POST /admin/channels/{id}/expire`.
extension GoogleEmulator {
    /// Every channel known since the last `reset()`: live, stopped and expired, in creation
    /// order, with their message counts.
    public func channels() -> [PushChannelInfo] {
        core.state.withLock { state in state.push.infos(now: state.now()) }
    }

    /// Messages queued or awaiting a retry on live channels: 0 once every message was
    /// delivered, given up or dropped, so a test can wait for quiescence.
    public var pendingDeliveries: Int {
        core.state.withLock { state in state.push.pendingCount(now: state.now()) }
    }

    /// Expires a live channel now, as if its expiration had passed: no more messages, and
    /// `channels.stop` no longer knows it. For tests of renewal and of safety polling.
    public func expireChannel(id: String) throws(GoogleAPIError) {
        try core.state.withLock { state throws(GoogleAPIError) in try state.expireChannel(id: id) }
    }
}
