public import Dispatch
public import Foundation

/// Turns SIGTERM and SIGINT into calls on a handler instead of killing the process, so the
/// worker can drain. Keep the returned sources alive for as long as the trap should hold.
public enum SignalTrap {
    public static func install(_ signals: [Int32] = [SIGTERM, SIGINT], handler: @escaping @Sendable (Int32) -> Void) -> [any DispatchSourceSignal] {
        signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }
}
