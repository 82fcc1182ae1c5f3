import Synchronization

/// A value many viewers share for a moment: the overview's statistics, read once a second
/// however many operators' pages refresh, instead of once per page. While one viewer reads a
/// fresh value the others get the one before (a second old), so an expiry never sends every
/// waiting request to the database at once. An action clears it, so the operator who acted
/// sees its effect at once.
final class SharedSnapshot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var takenAt: ContinuousClock.Instant?
        var refreshing = false
    }

    private let state = Mutex(State())
    let lifetime: Duration

    init(lifetime: Duration) { self.lifetime = lifetime }

    /// The value taken less than `lifetime` ago; the previous one while another viewer reads;
    /// otherwise a fresh one from `read` (run outside the lock).
    func value(_ read: () throws -> Value) rethrows -> Value {
        let now = ContinuousClock.now
        let kept: Value? = state.withLock { state in
            if let value = state.value, let takenAt = state.takenAt {
                if now - takenAt < lifetime || state.refreshing { return value }
            }
            state.refreshing = true
            return nil
        }
        if let kept { return kept }
        do {
            let fresh = try read()
            state.withLock { $0 = State(value: fresh, takenAt: now, refreshing: false) }
            return fresh
        } catch {
            state.withLock { $0.refreshing = false }
            throw error
        }
    }

    func clear() { state.withLock { $0 = State() } }
}
