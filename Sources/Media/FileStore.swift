import Foundation

/// A local folder as a store (tests, single-host installs). Every location must lie under
/// `root` after `..` and symbolic links are resolved: a job can never read or write outside it.
/// Writes go to a temporary file first and are renamed into place, so a reader or a killed
/// worker never leaves half a file under the final name.
struct FileStore: MediaStore {
    let root: String

    init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
    }

    func get(_ location: MediaLocation, maxBytes: Int) throws(MediaError) -> Data {
        let path = try resolve(location)
        guard let object = try head(location) else { throw MediaError(.notFound, "\(location): no such file") }
        guard object.size <= Int64(maxBytes) else {
            throw MediaError(.tooLarge, "\(location): \(object.size) bytes, more than the \(maxBytes) allowed")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MediaError(.denied, "\(location): cannot be read; check its permissions")
        }
        guard data.count <= maxBytes else { throw MediaError(.tooLarge, "\(location): more than the \(maxBytes) bytes allowed") }
        return data
    }

    func head(_ location: MediaLocation) throws(MediaError) -> MediaObject? {
        let path = try resolve(location)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        else { return nil }
        return MediaObject(
            location: location, size: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
            lastModified: attributes[.modificationDate] as? Date)
    }

    func put(_ location: MediaLocation, data: Data, contentType: String) throws(MediaError) {
        let path = try resolve(location)
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = folder + "/." + (path as NSString).lastPathComponent + ".tmp-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw MediaError(.denied, "\(location): cannot be written (\(error.localizedDescription)); check the media root's permissions")
        }
    }

    /// A hard link when the file is on the same file system (no copy, however large), else a
    /// copy; either way under a temporary name first, then renamed into place.
    func upload(_ location: MediaLocation, file path: String, sha256: String, contentType: String) throws(MediaError) {
        let destination = try resolve(location)
        let folder = (destination as NSString).deletingLastPathComponent
        let temporary = folder + "/." + (destination as NSString).lastPathComponent + ".tmp-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if link(path, temporary) != 0 { try FileManager.default.copyItem(atPath: path, toPath: temporary) }
            guard rename(temporary, destination) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw MediaError(
                .denied, "\(location): cannot be written (\(error.localizedDescription)); check the media root's permissions and free space")
        }
    }

    func download(_ location: MediaLocation, to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let path = try resolve(location)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw MediaError(.notFound, "\(location): no such file") }
        defer { try? handle.close() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let count = read(handle.fileDescriptor, buffer.baseAddress, buffer.count)
            guard count >= 0 else { throw MediaError(.unavailable, "\(location): read failed: \(String(cString: strerror(errno)))") }
            if count == 0 { return total }
            total += Int64(count)
            try sink(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    func delete(_ location: MediaLocation) throws(MediaError) {
        let path = try resolve(location)
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw MediaError(.denied, "\(location): cannot be removed (\(error.localizedDescription))")
        }
    }

    func list(prefix: MediaLocation) throws(MediaError) -> [MediaObject] {
        guard case .file(let wanted) = prefix else { throw MediaError(.invalid, "\(prefix) is not a file:// location") }
        let path = try resolve(prefix, allowRoot: true)
        // A prefix is a folder (`photos/`) or the start of names in one (`photos/2026-`).
        let folder = wanted.hasSuffix("/") ? path : (path as NSString).deletingLastPathComponent
        let namePrefix = wanted.hasSuffix("/") ? "" : (path as NSString).lastPathComponent
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var objects: [MediaObject] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasPrefix(namePrefix), !(relative as NSString).lastPathComponent.hasPrefix(".") else { continue }
            let full = folder + "/" + relative
            let location = MediaLocation.file(path: Self.visible(wanted, folder: folder, full: full, root: root))
            if let object = try head(location) { objects.append(object) }
        }
        return objects.sorted { $0.location.description < $1.location.description }
    }

    /// The path the caller wrote (under the root as they named it), for a file found on disk.
    private static func visible(_ wanted: String, folder: String, full: String, root: String) -> String {
        let wantedFolder = wanted.hasSuffix("/") ? String(wanted.dropLast()) : (wanted as NSString).deletingLastPathComponent
        return wantedFolder + String(full.dropFirst(folder.count))
    }

    /// The real path of `location`, or `.invalid` when it lies outside the root.
    func resolve(_ location: MediaLocation, allowRoot: Bool = false) throws(MediaError) -> String {
        guard case .file(let path) = location else { throw MediaError(.invalid, "\(location) is not a file:// location") }
        let standardized = URL(fileURLWithPath: path).standardizedFileURL
        // Symbolic links are resolved on the part that exists; the rest cannot be a link yet.
        var existing = standardized
        var missing: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            missing.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        var real = existing.resolvingSymlinksInPath().path
        for component in missing { real += (real.hasSuffix("/") ? "" : "/") + component }
        let inside = root == "/" ? true : real.hasPrefix(root + "/")
        guard inside || (allowRoot && real == root) else {
            throw MediaError(.invalid, "\(location) is outside the media root \(root) (CALWORKER_MEDIA_ROOT)")
        }
        return real
    }
}
