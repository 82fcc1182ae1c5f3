import Crypto

/// Deterministic mirror ids: the same source and target always give the same id, so a crash
/// between a write and its bookkeeping can never create a second mirror (the insert answers
/// 409 instead). base32hex (Google's alphabet for client ids: 0-9, a-v), 26 characters of
/// SHA-256 (130 bits).
public enum MirrorID {
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuv")

    public static func make(group: String, sourceCalendar: String, sourceEvent: String, targetCalendar: String) -> String {
        let digest = Digest.sha256(Array("calworker-mirror\u{0}\(group)\u{0}\(sourceCalendar)\u{0}\(sourceEvent)\u{0}\(targetCalendar)".utf8))
        var bits = 0
        var value = 0
        var out = ""
        for byte in digest {
            value = (value << 8) | Int(byte)
            bits += 8
            while bits >= 5 && out.count < 26 {
                bits -= 5
                out.append(alphabet[(value >> bits) & 31])
            }
            value &= (1 << bits) - 1
        }
        return out
    }

    /// Google's instance id: the series' id, `_`, the original start (`20261130T083000Z`, or
    /// `20261130` for all-day series). The mirror's instance keeps the source's suffix.
    public static func instanceSuffix(of instanceID: String, seriesID: String) -> String? {
        guard instanceID.hasPrefix(seriesID + "_") else { return nil }
        let suffix = instanceID.dropFirst(seriesID.count + 1)
        return suffix.isEmpty ? nil : String(suffix)
    }
}
