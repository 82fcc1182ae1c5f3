import Dispatch
import Foundation
import GoogleEmulator

#if canImport(Glibc)
    import Glibc
#endif

/// `google-emulator`: serves the in-memory Google Calendar API v3 and OAuth token endpoint
/// for the demo, benchmarks and tests in other processes, until SIGTERM or SIGINT.
let usage = """
    usage: google-emulator [--addr HOST:PORT] [--client-id ID] [--client-secret SECRET] [--seed FILE.json]

    A local Google Calendar API v3 + OAuth token endpoint for calworker's tests, demo and benchmarks.

      --addr HOST:PORT        where to listen (default 127.0.0.1:8085; port 0 picks a free one)
      --client-id ID          the OAuth client accepted by /token (default calworker-test-client)
      --client-secret SECRET  its secret (default calworker-test-secret)
      --seed FILE.json        accounts, calendars and events to start with (the JSON of POST /admin/seed)
      --help                  this text

    Prints "google-emulator listening on http://127.0.0.1:PORT" once serving.
    API: <url>/calendar/v3/...   token endpoint: <url>/token   control: <url>/admin/... (see README)
    Push notifications: channels opened with events.watch or calendarList.watch get their
    messages POSTed to their address (http:// accepted); GET <url>/admin/channels shows them.

    """

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("google-emulator: \(message)\n".utf8))
    exit(status)
}

var address = "127.0.0.1:8085"
var clientID = "calworker-test-client"
var clientSecret = "calworker-test-secret"
var seedPath: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    func value() -> String {
        guard let next = arguments.popFirst() else { fail("\(argument) needs a value\n\n\(usage)", status: 2) }
        return next
    }
    switch argument {
    case "--help", "-h":
        FileHandle.standardOutput.write(Data(usage.utf8))
        exit(0)
    case "--addr": address = value()
    case "--client-id": clientID = value()
    case "--client-secret": clientSecret = value()
    case "--seed": seedPath = value()
    default: fail("unknown argument \(argument)\n\n\(usage)", status: 2)
    }
}

let emulator: GoogleEmulator
do {
    emulator = try GoogleEmulator(address: address, clientID: clientID, clientSecret: clientSecret)
} catch {
    fail("\(error)", status: 1)
}
if let seedPath {
    do {
        try emulator.seed(json: try Data(contentsOf: URL(fileURLWithPath: seedPath)))
    } catch {
        fail("cannot seed from \(seedPath): \(error)", status: 1)
    }
}

emulator.start()
// Written unbuffered: a parent reading the pipe sees the line at once.
FileHandle.standardOutput.write(Data("google-emulator listening on \(emulator.baseURL)\n".utf8))
waitForTermination()
emulator.stop()

/// Blocks until SIGTERM or SIGINT. Signals are taken as dispatch events, not by handlers, so
/// stopping runs ordinary code; nonisolated because the events arrive on a dispatch queue,
/// not the main actor top-level code runs on.
nonisolated func waitForTermination() {
    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    let stopRequested = DispatchSemaphore(value: 0)
    let sources = [SIGTERM, SIGINT].map { number in
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { stopRequested.signal() }
        source.resume()
        return source
    }
    stopRequested.wait()
    for source in sources { source.cancel() }
}
