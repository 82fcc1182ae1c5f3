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
    /// Saturates at `Int64`'s limits instead of trapping: a duration can come from outside.
    public var wholeMilliseconds: Int64 {
        let (millis, overflow) = components.seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return components.seconds < 0 ? .min : .max }
        let (total, overflowAgain) = millis.addingReportingOverflow(components.attoseconds / 1_000_000_000_000_000)
        if overflowAgain { return millis < 0 ? .min : .max }
        return total
    }
}
