import Foundation

/// A file of our own in the spool folder (mode 0600, never an existing file), removed when
/// the value goes unless `keep()` was called.
final class SpoolFile {
    let path: String
    let descriptor: Int32
    private var kept = false

    init(directory: String, name: String) throws(BackupError) {
        path = (directory as NSString).appendingPathComponent(name)
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BackupError(.failed, "cannot create \(path): \(String(cString: strerror(errno))); check CALWORKER_BACKUP_SPOOL and free space")
        }
    }

    deinit {
        close(descriptor)
        if !kept { unlink(path) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw BackupError(.failed, "writing \(path): \(String(cString: strerror(errno))); check free space in CALWORKER_BACKUP_SPOOL")
            }
            offset += written
        }
    }
}
