public import Basics

/// A configuration value that cannot be used, named so the operator knows what to fix.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var name: String
    public var message: String
    public var description: String { "\(name): \(message)" }

    public init(name: String, message: String) {
        self.name = name
        self.message = message
    }
}

extension ConfigurationError: CalworkerError {
    public var errorCode: String { "configuration" }
    public var isRetryable: Bool { false }
}
