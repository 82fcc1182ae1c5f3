/// `Duration` as the numbers C libraries, timers and figures want. One place, instead of a
/// copy per module under three names.
extension Duration {
    /// In (fractional) seconds.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// In (fractional) milliseconds, for figures like `decode_ms`.
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }

    /// In whole milliseconds (rounded down), for C APIs that take them (`CURLOPT_TIMEOUT_MS`).
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
