public import Basics
import CCrypto

/// A libcrypto failure or a check that did not pass (wrong key, tampered data).
public struct CryptoError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// OpenSSL's queued error, emptied so the next call starts clean: the one place libcrypto
    /// errors become Swift errors.
    static func openSSL(_ what: String) -> CryptoError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return CryptoError("\(what) failed") }
        var buffer = [UInt8](repeating: 0, count: 256)
        buffer.withUnsafeMutableBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { ERR_error_string_n(code, $0.baseAddress, $0.count) }
        }
        return CryptoError("\(what) failed: \(String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self))")
    }
}

extension CryptoError: CalworkerError {
    public var errorCode: String { "crypto" }
    /// A key that does not open a ciphertext, or damaged data, does not heal by waiting.
    public var isRetryable: Bool { false }
}
