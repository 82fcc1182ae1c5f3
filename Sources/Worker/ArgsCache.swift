import Synchronization

/// Decoded, validated arguments by their JSON text, for one job kind.
///
/// Many jobs carry identical args (`{}`, `{"reminders": true}`, `{"account_id": "all"}`), and
/// decoding JSON was a sixth of the worker's CPU per job. Bounded: it starts over when full.
final class ArgsCache<Args: Sendable>: Sendable {
    private let entries = Mutex<[String: Args]>([:])
    private let limit: Int

    init(limit: Int = 256) { self.limit = limit }

    subscript(text: String) -> Args? {
        get { entries.withLock { $0[text] } }
        set {
            entries.withLock { entries in
                if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
                entries[text] = newValue
            }
        }
    }
}
