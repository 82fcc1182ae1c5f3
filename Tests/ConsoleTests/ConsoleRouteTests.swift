import HTTPServer
import Testing

@testable import Console

/// The console's route tables: every path an operator can reach is one row, and anything else
/// matches none (a 404), whatever it carries.
@Suite struct ConsoleRouteTests {
    @Test(arguments: [
        ("/", true), ("/accounts", true), ("/accounts/12", true), ("/jobs/7", true), ("/runs", true),
        ("/accounts/0", false), ("/accounts/-3", false), ("/accounts/12x", false), ("/jobs/99999999999999999999", false),
        ("/accounts/12/extra", false), ("/nothing", false),
    ])
    func pagesMatchTheirPathsAndOnlyThose(path: String, matches: Bool) {
        #expect((ConsoleRoute.find(path, in: ConsoleApp.pages) != nil) == matches, "\(path)")
    }

    @Test func actionsTakeTheirIdsVerbsAndDecodedNames() throws {
        let account = try #require(ConsoleRoute.find("/accounts/12/disable", in: ConsoleApp.actions))
        #expect(account.call.ids == [12] && account.call.names == ["disable"] && account.route.access == .operator)
        let queue = try #require(ConsoleRoute.find("/queues/mail%2Dout/pause", in: ConsoleApp.actions))
        #expect(queue.call.names == ["mail-out", "pause"])
        #expect(ConsoleRoute.find("/logout", in: ConsoleApp.actions)?.route.access == .session)
        for refused in ["/accounts/12/delete", "/jobs/3/run", "/queues/q/drop", "/jobs/0/retry", "/bulk/now"] {
            #expect(ConsoleRoute.find(refused, in: ConsoleApp.actions) == nil, "\(refused)")
        }
    }
}
