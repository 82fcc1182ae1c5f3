import Foundation
@testable import Postgres
import Testing

@Suite struct PostgresTimestampTests {
    @Test(arguments: [
        ("2026-11-21 23:19:11+00", 1_795_303_151.0),
        ("2026-11-21 23:19:11.5+00", 1_795_303_151.5),
        ("2026-11-22 04:49:11.25+05:30", 1_795_303_151.25),
        ("1970-01-01 00:00:00Z", 0.0),
        ("1969-12-31 23:59:59-00", -1.0),
        ("2000-02-29T12:00:00+00", 951_825_600.0),
    ])
    func parsesPostgresOutput(text: String, epoch: Double) {
        #expect(PostgresTimestamp.parse(text)?.timeIntervalSince1970 == epoch)
    }

    @Test(arguments: ["", "2026-11-21", "2026-13-xx 00:00:00+00", "2026-11-21 23:19:11+00 trailing"])
    func rejectsMalformedText(text: String) {
        #expect(PostgresTimestamp.parse(text) == nil)
    }

    @Test func formatThenParseIsLossless() {
        for epoch in [0.0, -86_400.5, 1_795_303_151.123456, 4_102_444_800.000001] {
            let date = Date(timeIntervalSince1970: epoch)
            let back = PostgresTimestamp.parse(PostgresTimestamp.format(date))
            #expect(abs((back?.timeIntervalSince1970 ?? .nan) - epoch) < 0.000_001)
        }
    }

    @Test func arrayLiteralsEscapeQuotesAndBackslashes() {
        #expect(["a", "b\"c", "d\\e"].postgresText == #"{"a","b\"c","d\\e"}"#)
        #expect([Int64]().postgresText == "{}")
        #expect([String?]([nil, "x"]).postgresText == #"{NULL,"x"}"#)
        #expect(PostgresArrayParser.parse(#"{"a","b\"c",NULL,plain}"#)! == ["a", "b\"c", nil, "plain"])
    }
}
