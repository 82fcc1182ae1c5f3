public import Foundation

/// What a backup is, kept beside it as `manifest.json`. Its presence is what makes a backup
/// count: it is written last, after the dump is stored (and, normally, verified).
public struct BackupManifest: Codable, Sendable, Equatable {
    public struct Verification: Codable, Sendable, Equatable {
        public enum Status: String, Codable, Sendable { case verified, failed }
        public var status: Status
        public var at: Date
        public var durationMS: Int
        /// Why it failed, when it did.
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case status, at, error
            case durationMS = "duration_ms"
        }
    }

    public var format = "calworker-backup/1"
    public var id: String
    public var createdAt: Date
    public var finishedAt: Date
    public var durationMS: Int
    public var database: String
    public var serverVersion: String
    public var pgDumpVersion: String
    public var keyID: String
    public var chunkSize: Int
    /// The sealed dump's name inside the backup's folder.
    public var object: String
    public var plaintextBytes: Int64
    public var plaintextSHA256: String
    public var ciphertextBytes: Int64
    public var ciphertextSHA256: String
    /// Rows of every table at the dump's snapshot (`schema.table`).
    public var rowCounts: [String: Int64]
    public var verification: Verification?

    enum CodingKeys: String, CodingKey {
        case format, id, database, object, verification
        case createdAt = "created_at"
        case finishedAt = "finished_at"
        case durationMS = "duration_ms"
        case serverVersion = "server_version"
        case pgDumpVersion = "pg_dump_version"
        case keyID = "key_id"
        case chunkSize = "chunk_size"
        case plaintextBytes = "plaintext_bytes"
        case plaintextSHA256 = "plaintext_sha256"
        case ciphertextBytes = "ciphertext_bytes"
        case ciphertextSHA256 = "ciphertext_sha256"
        case rowCounts = "row_counts"
    }

    public var isVerified: Bool { verification?.status == .verified }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    func encoded() -> Data { (try? Self.encoder.encode(self)) ?? Data() }

    static func decode(_ data: Data, from location: String) throws(BackupError) -> BackupManifest {
        do {
            return try decoder.decode(BackupManifest.self, from: data)
        } catch {
            throw BackupError(.verificationFailed, "\(location) is not a backup manifest calworker can read: \(error)")
        }
    }
}
