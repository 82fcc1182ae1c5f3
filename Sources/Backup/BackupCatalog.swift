public import Foundation
public import Media

/// The backups under a target prefix, read from the store itself (a restore on a new machine
/// has no database to ask): each backup is a folder `<prefix><id>/` holding `dump.cwbk` and,
/// once complete, `manifest.json`.
public struct BackupCatalog {
    public struct Entry: Sendable {
        public var id: String
        public var folder: MediaLocation
        /// Nil for a backup that never finished (killed before its manifest was written).
        public var manifest: BackupManifest?
        public var objects: [MediaObject]
        /// When it was made: the manifest's time, else the id's.
        public var createdAt: Date
    }

    let stores: MediaStores
    public let prefix: MediaLocation

    /// - Throws: `.invalid` when `target` is not a writable prefix.
    public init(stores: MediaStores, target: String) throws(BackupError) {
        self.stores = stores
        prefix = try Self.prefix(target)
    }

    /// The target as a folder location (a `/` added if missing); `.invalid` for http(s) or a bad URL.
    public static func prefix(_ target: String) throws(BackupError) -> MediaLocation {
        var text = target
        if !text.hasSuffix("/") { text += "/" }
        let location: MediaLocation
        do {
            location = try MediaLocation(text)
        } catch {
            throw BackupError(.invalid, "backup target: \(error.message)")
        }
        if case .http = location { throw BackupError(.invalid, "backup target \(location): http(s) is read-only; use s3:// or file://") }
        return location
    }

    public func entries() throws -> [Entry] {
        var byID: [String: [MediaObject]] = [:]
        for object in try stores.list(prefix: prefix) {
            let relative = object.location.description.dropFirst(prefix.description.count)
            guard let slash = relative.firstIndex(of: "/") else { continue }
            let id = String(relative[..<slash])
            guard BackupID.isValid(id) else { continue }
            byID[id, default: []].append(object)
        }
        return try byID.keys.sorted().map { id in
            let objects = byID[id]!
            let folder = try BackupWriter.folder(prefix, id)
            let manifest = try objects.contains { $0.location.name == "manifest.json" } ? load(folder: folder, id: id) : nil
            return Entry(
                id: id, folder: folder, manifest: manifest, objects: objects,
                createdAt: manifest?.createdAt ?? BackupID.date(of: id) ?? .distantPast)
        }
    }

    public func entry(_ id: String) throws -> Entry {
        guard BackupID.isValid(id) else {
            throw BackupError(.invalid, "'\(id)' is not a backup id (like 20261201T020000Z-3fa9); see calworker backup list")
        }
        let folder = try BackupWriter.folder(prefix, id)
        guard try stores.head(try BackupWriter.object(folder, "manifest.json")) != nil else {
            throw BackupError(.notFound, "no backup \(id) under \(prefix); see calworker backup list")
        }
        let manifest = try load(folder: folder, id: id)
        return Entry(id: id, folder: folder, manifest: manifest, objects: [], createdAt: manifest.createdAt)
    }

    func load(folder: MediaLocation, id: String) throws -> BackupManifest {
        let location = try BackupWriter.object(folder, "manifest.json")
        let manifest = try BackupManifest.decode(try stores.get(location, maxBytes: 4 << 20), from: location.description)
        guard manifest.id == id else { throw BackupError(.verificationFailed, "\(location) describes backup \(manifest.id), not \(id)") }
        return manifest
    }

    /// Writes the manifest last of all: from now on the backup counts.
    public func save(_ manifest: BackupManifest) throws {
        let folder = try BackupWriter.folder(prefix, manifest.id)
        try stores.put(try BackupWriter.object(folder, "manifest.json"), data: manifest.encoded(), contentType: "application/json")
    }

    /// Removes a backup: its manifest first (so it stops counting at once), then the rest.
    public func delete(_ entry: Entry) throws {
        let manifest = try BackupWriter.object(entry.folder, "manifest.json")
        try stores.delete(manifest)
        for object in entry.objects where object.location != manifest { try stores.delete(object.location) }
        if entry.objects.isEmpty { try stores.delete(try BackupWriter.object(entry.folder, entry.manifest?.object ?? "dump.cwbk")) }
    }
}
