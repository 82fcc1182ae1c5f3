import Basics
import Testing

@Suite struct LoopbackTests {
    @Test(arguments: [
        ("smtp://127.0.0.1:25", true), ("smtp://127.8.9.10", true), ("smtp://localhost:1025", true), ("smtp://[::1]:25", true),
        ("SMTP://LOCALHOST", true), ("smtp://user:pw@127.0.0.1:25", true),
        ("smtps://127.0.0.1:465", false), ("smtp://127.0.0.1.example.com", false), ("smtp://10.0.0.1", false),
        ("smtp://128.0.0.1", false), ("smtp://127.0.0.256", false), ("smtp://localhost.evil", false), ("http://127.0.0.1", false),
        ("not a url", false), ("", false),
    ])
    func onlyAnSMTPRelayOnThisMachineIsLoopback(url: String, loopback: Bool) {
        #expect(Loopback.isSMTPRelay(url) == loopback, "\(url)")
    }
}
