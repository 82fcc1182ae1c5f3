public import Configuration
import Crypto

extension BackupSettings: ConfigurationSection {
    /// `CALWORKER_BACKUP_*` and `CALWORKER_PG_BIN`. The media store is the media section's,
    /// set by whoever wires the two.
    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        self.init(target: try reader.optional("CALWORKER_BACKUP_TARGET"))
        let key = try reader.secret("CALWORKER_BACKUP_KEY")
        let previous = try reader.secret("CALWORKER_BACKUP_KEY_PREVIOUS")
        self.key = try? SecretKey(base64: key)
        previousKeys = previous.split(separator: ",").compactMap { try? SecretKey(base64: String($0)) }
        for (name, value) in [("CALWORKER_BACKUP_KEY", key), ("CALWORKER_BACKUP_KEY_PREVIOUS", previous)] {
            if value.split(separator: ",").contains(where: { (try? SecretKey(base64: String($0))) == nil }) {
                keyProblem = keyProblem ?? "\(name): a key must be base64 of exactly 32 bytes"
            }
        }
        databaseURL = try reader.optional("CALWORKER_BACKUP_DATABASE_URL")
        if let spool = try reader.optional("CALWORKER_BACKUP_SPOOL") { spoolDirectory = spool }
        toolsDirectory = try reader.optional("CALWORKER_PG_BIN")
    }
}
