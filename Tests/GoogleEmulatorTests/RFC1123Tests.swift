import Foundation
import Testing

@testable import GoogleEmulator

/// `X-Goog-Channel-Expiration` dates, worked out without a formatter, agree with one.
@Suite struct RFC1123Tests {
    @Test(arguments: [
        (Int64(1_384_823_632_000), "Tue, 19 Nov 2013 01:13:52 GMT"),
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
        (1_709_251_199_999, "Thu, 29 Feb 2024 23:59:59 GMT"),
        (4_107_542_400_000, "Mon, 01 Mar 2100 00:00:00 GMT"),
    ])
    func knownDates(millis: Int64, expected: String) {
        #expect(RFC1123.format(millis: millis) == expected)
    }

    @Test func agreesWithAFormatterOverTwoCenturies() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let seconds = Int64.random(in: -2_208_988_800...4_102_444_800, using: &generator)
            #expect(RFC1123.format(millis: seconds * 1000) == formatter.string(from: Date(timeIntervalSince1970: Double(seconds))))
        }
    }
}
