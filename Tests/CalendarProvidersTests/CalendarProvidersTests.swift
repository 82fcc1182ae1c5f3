import Basics
import CalendarProviders
import Foundation
import MirrorPlanner
import Testing

/// The provider-neutral types on their own: errors that keep the service's words, the neutral
/// encoding of events, the mirror test after a lost race.
@Suite struct CalendarProvidersTests {
    struct ServiceError: CalworkerError {
        var errorCode: String { "http_503" }
        var message: String { "events.list: HTTP 503: backend error" }
        var isRetryable: Bool { true }
        var requestedWait: Duration? { .seconds(90) }
    }

    @Test func aProviderErrorSpeaksWithTheServicesWordsAndDecidesNothingByItself() {
        let error = ProviderError(.retryable, ServiceError())
        #expect(error.description == "events.list: HTTP 503: backend error")
        #expect(error.errorCode == "http_503" && error.isRetryable && error.requestedWait == .seconds(90))
        let stopped = ProviderError.stopped(during: "mirror writes")
        #expect(stopped.kind == .stopped && stopped.errorCode == "stopped" && stopped.isRetryable)
        #expect(stopped.message.contains("mirror writes"))
    }

    @Test func refusedCredentialsNeedTheUserAndAreNeverRetried() {
        let refused = CredentialsRefused(service: "Google", reason: "Token has been expired or revoked.")
        #expect(refused.errorCode == "needs_reauth" && !refused.isRetryable && refused.requestedWait == nil)
        #expect(
            refused.description == "Google refused the refresh token (Token has been expired or revoked.); the account needs to be connected again")
    }

    @Test func anAccountAtAProviderThisWorkerDoesNotSpeakIsNamedWithTheOnesItDoes() throws {
        let providers = Providers([:])
        #expect(providers.kinds.isEmpty)
        let unknown = UnknownProvider(kind: "caldav", known: ["google"])
        #expect(unknown.errorCode == "unknown_provider" && !unknown.isRetryable)
        #expect(unknown.message.contains("'caldav'") && unknown.message.contains("(google)"))
    }

    @Test func eventsBuiltByAProviderAreEncodedInTheNeutralLayout() throws {
        var event = ProviderEvent(id: "ev1")
        event.summary = "Dentist"
        event.start = .init(dateTime: "2026-11-23T09:00:00+01:00", timeZone: "Europe/Berlin")
        event.end = .init(date: "2026-11-24")
        event.seriesId = "series"
        event.mirror = "1"
        event.attendees = [.init(response: "declined")]
        let batch = try EventBatch.events([event])
        #expect(batch.layout == .neutral)
        let object = try #require(try JSONSerialization.jsonObject(with: batch.json) as? [String: Any])
        let item = try #require((object["items"] as? [[String: Any]])?.first)
        func value(_ path: [String], in object: [String: Any]) -> Any? {
            var current: Any? = object
            for key in path { current = (current as? [String: Any])?[key] }
            return current
        }
        // Every field the store reads is where the neutral layout says it is.
        #expect(value(EventLayout.neutral.id, in: item) as? String == "ev1")
        #expect(value(EventLayout.neutral.status, in: item) as? String == "confirmed")
        #expect(value(EventLayout.neutral.summary, in: item) as? String == "Dentist")
        #expect(value(EventLayout.neutral.startDateTime, in: item) as? String == "2026-11-23T09:00:00+01:00")
        #expect(value(EventLayout.neutral.startTimeZone, in: item) as? String == "Europe/Berlin")
        #expect(value(EventLayout.neutral.endDate, in: item) as? String == "2026-11-24")
        #expect(value(EventLayout.neutral.seriesID, in: item) as? String == "series")
        #expect(value(EventLayout.neutral.mirrorMark, in: item) as? String == EventLayout.neutral.mirrorMarkValue)
        let attendee = try #require((value(EventLayout.neutral.attendees, in: item) as? [[String: Any]])?.first)
        #expect(value(EventLayout.neutral.attendeeIsSelf, in: attendee) as? Bool == true)
        #expect(value(EventLayout.neutral.attendeeResponse, in: attendee) as? String == "declined")
        #expect(EventLayout.neutral.paths.count == 27, "the store binds one path per field, $6 to $32")
    }

    @Test func aCurrentEventIsOursWhenMarkedOrAnOccurrenceOfOurSeries() {
        let marked = RemoteEvent(etag: "\"1\"", cancelled: false, markedAsMirror: true, seriesID: nil)
        let occurrence = RemoteEvent(etag: "\"2\"", cancelled: false, markedAsMirror: false, seriesID: "ours")
        let theirs = RemoteEvent(etag: "\"3\"", cancelled: true, markedAsMirror: false, seriesID: "theirs")
        #expect(marked.isMirror(mirrorSeries: []))
        #expect(occurrence.isMirror(mirrorSeries: ["ours"]))
        #expect(!theirs.isMirror(mirrorSeries: ["ours"]))
        #expect(ProviderFigures(calls: ["a": 1]).calls["a"] == 1)
    }
}
