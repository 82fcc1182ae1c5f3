import Foundation
import TestSupport
import Testing

@testable import Postgres

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

    /// Dates computed from hostile answers (an `expires_in` of 1e15, a Retry-After of 2^63)
    /// once reached this formatter and crashed the process; now any date is written as text the
    /// server takes, and PostgreSQL's own output for such years reads back.
    @Test(arguments: [
        1e15, -1e15, 1e300, -1e300, Double.infinity, -Double.infinity, Double.nan,
        253_402_300_800.0, 9_224_318_015_999.0, -62_135_596_800.0, -62_135_596_801.0, -210_866_803_200.0,
    ])
    func everyDateFormatsAsTextPostgresAccepts(epoch: Double) throws {
        let text = PostgresTimestamp.format(Date(timeIntervalSince1970: epoch))
        let database = try PostgresConnection.connect(TestEnvironment.adminURL)
        defer { database.close() }
        let row = try database.query("SELECT $1::timestamptz::text, extract(epoch FROM $1::timestamptz)::float8", [text])[0]
        let stored: String = try row.decode(at: 0)
        if text == "infinity" || text == "-infinity" {
            #expect(stored == text)
            #expect(epoch.isNaN || abs(epoch) > 9e12 || epoch < -210_866_803_200)
        } else {
            #expect(try row.decode(Double.self, at: 1) == epoch.rounded(.down))
            // PostgreSQL's own spelling of it (years past 9999, BC) parses back to the same instant.
            #expect(PostgresTimestamp.parse(stored)?.timeIntervalSince1970 == epoch.rounded(.down))
        }
    }

    @Test(arguments: [
        ("12345-01-01 00:00:00+00", 327_403_382_400.0), ("0001-01-01 00:00:00+00 BC", -62_167_219_200.0),
        ("294276-12-31 23:59:59+00", 9_224_318_015_999.0),
    ])
    func parsesYearsPastNineThousandNineHundredNinetyNineAndBeforeChrist(text: String, epoch: Double) {
        #expect(PostgresTimestamp.parse(text)?.timeIntervalSince1970 == epoch)
    }

    @Test func arrayLiteralsEscapeQuotesAndBackslashes() {
        #expect(["a", "b\"c", "d\\e"].postgresText == #"{"a","b\"c","d\\e"}"#)
        #expect([Int64]().postgresText == "{}")
        #expect([String?]([nil, "x"]).postgresText == #"{NULL,"x"}"#)
        #expect(PostgresArrayParser.parse(#"{"a","b\"c",NULL,plain}"#)! == ["a", "b\"c", nil, "plain"])
    }
}
