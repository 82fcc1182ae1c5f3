import Crypto
import Foundation
import Media

/// Fetches a stored backup and opens it into a plain dump in the spool folder, checking on the
/// way every chunk's authentication, the sizes and both SHA-256 sums against the manifest.
/// Only a dump that passed all of that is ever handed to pg_restore.
struct BackupOpener {
    let settings: BackupSettings
    let stores: MediaStores

    func open(_ manifest: BackupManifest, in folder: MediaLocation) throws -> SpoolFile {
        let keys = settings.allKeys
        guard !keys.isEmpty else {
            throw BackupError(.invalid, "no backup key: set CALWORKER_BACKUP_KEY (and CALWORKER_BACKUP_KEY_PREVIOUS for older backups)")
        }
        let plain = try SpoolFile(directory: settings.spoolDirectory, name: "calworker-restore-\(manifest.id)-\(UUID().uuidString.prefix(8)).dump")
        let reader = SealedStreamReader(keys: keys) { try plain.write($0) }
        let location = try BackupWriter.object(folder, manifest.object)
        do {
            _ = try stores.download(location) { try reader.write($0) }
            try reader.finish()
        } catch let error as CryptoError {
            throw BackupError(.verificationFailed, "backup \(manifest.id): \(error.message)")
        } catch let error as MediaError where error.kind == .notFound {
            throw BackupError(.verificationFailed, "backup \(manifest.id): its dump \(location) is missing")
        }
        guard reader.ciphertextBytes == manifest.ciphertextBytes, reader.ciphertextHash.hex == manifest.ciphertextSHA256 else {
            throw BackupError(
                .verificationFailed,
                "backup \(manifest.id): the stored file (\(reader.ciphertextBytes) bytes) is not the one "
                    + "the manifest describes (\(manifest.ciphertextBytes) bytes, sha256 \(manifest.ciphertextSHA256.prefix(12))…)")
        }
        guard reader.plaintextBytes == manifest.plaintextBytes, reader.plaintextHash.hex == manifest.plaintextSHA256 else {
            throw BackupError(.verificationFailed, "backup \(manifest.id): the dump's SHA-256 does not match the manifest")
        }
        return plain
    }
}
