import Foundation
import Redaction
import Testing

@Suite struct KnownSecretsTests {
    @Test func aRegisteredSecretIsTakenOutInEveryFormAnEchoTakes() {
        let token = "1//0g-refresh+token/\(UUID().uuidString)"
        KnownSecrets.register(token)
        let echoes = [
            "invalid_grant: \(token) is revoked",
            "refresh_token=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&grant_type=refresh_token",
            #"{"echo":"\#(token.replacingOccurrences(of: "/", with: "\\/"))"}"#,
        ]
        for echo in echoes {
            let cleaned = KnownSecrets.redact(echo)
            #expect(!cleaned.contains(token), "\(cleaned)")
            #expect(!cleaned.contains(String(token.suffix(20))), "\(cleaned)")
            #expect(cleaned.contains(Redactor.mark))
        }
    }

    @Test func textWithoutSecretsIsReturnedUnchanged() {
        KnownSecrets.register("s3cr3t-\(UUID().uuidString)")
        let text = "events.list: HTTP 500 backendError: the server had a problem, ünïcode and all"
        #expect(KnownSecrets.redact(text) == text)
    }

    @Test func theLongestOfSecretsSharingAStartIsTakenOut() {
        let stem = "shared-\(UUID().uuidString.prefix(8))"
        KnownSecrets.register(stem)
        KnownSecrets.register(stem + "-and-a-longer-tail")
        #expect(KnownSecrets.redact("x \(stem)-and-a-longer-tail y") == "x \(Redactor.mark) y")
        #expect(KnownSecrets.redact("x \(stem) y") == "x \(Redactor.mark) y")
    }

    @Test func valuesTooShortToBeCredentialsAreNotRegistered() {
        KnownSecrets.register("abc")
        KnownSecrets.register("secret")
        #expect(KnownSecrets.redact("abcabc abc") == "abcabc abc")
        // A short configured value that is also a word must not garble the key names the
        // credential patterns look for.
        #expect(Redactor.clean("client_secret=GOCSPX-short-check") == "client_secret=\(Redactor.mark)")
    }
}

@Suite struct RedactorTests {
    @Test(arguments: [
        ("Authorization: Bearer ya29.a0AfB_byC-unknown-token", "ya29"),
        (#"{"error":"invalid_request","error_description":"got refresh_token=1%2F%2F0unknown&client_secret=GOCSPX-unknown"}"#, "GOCSPX"),
        (#"{"access_token": "ya29.unknown-token", "expires_in": 3599}"#, "ya29"),
        (#"{'password': 'hunter2-unknown'}"#, "hunter2"),
        ("could not connect to postgresql://calworker:pa55w0rd-unknown@db:5432/calworker", "pa55w0rd"),
        ("host=db password=pa55w0rd-unknown user=calworker", "pa55w0rd"),
        ("x-amz-security-token: FwoGZXIvYXdzEunknown", "FwoGZX"),
    ])
    func credentialShapedValuesAreTakenOutWithoutBeingKnown(text: String, secret: String) {
        let cleaned = Redactor.clean(text)
        #expect(!cleaned.contains(secret), "\(cleaned)")
        #expect(cleaned.contains(Redactor.mark))
    }

    @Test(arguments: [
        #"{"nextPageToken":"CAESBgoECAEQAQ","items":[]}"#,
        "events.list: HTTP 403 rateLimitExceeded: Rate Limit Exceeded",
        "the password must be set with CALWORKER_SMTP_PASSWORD",
        "https://www.googleapis.com/calendar/v3/calendars/primary/events",
    ])
    func ordinaryTextIsLeftAlone(text: String) {
        #expect(Redactor.clean(text) == text)
    }

    @Test func aLimitCutsAfterRedacting() {
        let secret = "cut-secret-\(UUID().uuidString)"
        KnownSecrets.register(secret)
        let text = String(repeating: "a", count: 30) + secret
        let cleaned = Redactor.clean(text, limit: 35)
        #expect(cleaned.count == 36 && cleaned.hasSuffix("…"))
        #expect(!cleaned.contains(String(secret.prefix(8))))
    }
}
