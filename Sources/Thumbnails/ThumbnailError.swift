public import Basics

/// Why an image could not be made into a thumbnail. Every kind but `.failed` is the input's
/// fault: the job discards it (retrying the same bytes cannot help).
public struct ThumbnailError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The bytes are not an image libvips recognises (HTML, a PDF, nothing).
        case notAnImage
        /// An image, but of a format we do not take (only JPEG, PNG, WebP and HEIC/HEIF).
        case unsupportedFormat
        /// More pixels than the limit: a decompression bomb, or a panorama past what we allow.
        case tooManyPixels
        /// Truncated or damaged: decoding failed.
        case corrupt
        /// libvips itself failed (could not start, out of memory): worth retrying.
        case failed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension ThumbnailError: CalworkerError {
    public var errorCode: String { kind.rawValue }
    /// Only a failure of libvips itself; the photo's own faults are the same next time.
    public var isRetryable: Bool { kind == .failed }
}
