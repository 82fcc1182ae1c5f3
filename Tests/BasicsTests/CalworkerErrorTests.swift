import Basics
import Testing

struct CalworkerErrorTests {
    struct Refused: CalworkerError {
        var errorCode: String { "refused" }
        var message: String { "the store refused the key; grant write access and retry" }
        var isRetryable: Bool { false }
    }

    /// What an operator reads (`description`, and so the run record's error) is the message,
    /// never a dump of the error's fields.
    @Test func theDescriptionIsTheMessage() {
        let error: any Error = Refused()
        #expect("\(error)" == "the store refused the key; grant write access and retry")
        #expect((error as? any CalworkerError)?.isRetryable == false)
    }
}
