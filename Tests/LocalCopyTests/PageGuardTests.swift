import CalendarProviders
import Foundation
import Google
import Testing

@testable import LocalCopy

@Suite struct PageGuardTests {
    @Test func aTokenRepeatedWithItemsEndsTheListing() throws {
        var guardian = PageGuard(method: "events.list", limit: 1000)
        try guardian.advance(to: "a", afterEmptyPage: false)
        try guardian.advance(to: "b", afterEmptyPage: false)
        #expect(throws: ProviderError.self) { try guardian.advance(to: "a", afterEmptyPage: false) }
    }

    @Test func anEmptyPageMayRepeatItsTokenAFewTimesNotForever() throws {
        // Google may answer an empty page "even if there are more events"; the emulator's short
        // pages do, with the token they were asked with.
        var guardian = PageGuard(method: "events.list", limit: 1000)
        try guardian.advance(to: "a", afterEmptyPage: false)
        for _ in 0..<PageGuard.emptyRepeats { try guardian.advance(to: "a", afterEmptyPage: true) }
        #expect(throws: ProviderError.self) { try guardian.advance(to: "a", afterEmptyPage: true) }
    }

    @Test func moreThanTheLimitOfPagesEndsTheListing() throws {
        var guardian = PageGuard(method: "calendarList.list", limit: 5)
        for page in 0..<4 { try guardian.advance(to: "p\(page)", afterEmptyPage: false) }
        #expect(throws: ProviderError.self) { try guardian.advance(to: "p4", afterEmptyPage: false) }
    }

    @Test(arguments: [
        (#"{"items": [], "nextPageToken": "p"}"#, true), ("{\"items\": [ \n ], \"nextPageToken\": \"p\"}", true),
        (#"{"items": [{"id": "a"}], "nextPageToken": "p"}"#, false),
    ])
    func anEventsPageKnowsWhetherItIsEmpty(body: String, empty: Bool) throws {
        #expect(try EventsPage.parse(Data(body.utf8)).isEmpty == empty)
    }
}
