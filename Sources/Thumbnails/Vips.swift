import CVips
import Foundation

/// libvips for the whole process: started once, with what untrusted input needs.
enum Vips {
    /// `vips_init` must run once before any other call; a static `let` initializer runs
    /// exactly once, under Swift's own lock.
    private static let started: Bool = {
        guard vips_init("calworker") == 0 else { return false }
        // Loaders libvips itself marks unsafe for untrusted input (ImageMagick, PDF, SVG,
        // matlab, FITS, ...) are off for the whole process.
        vips_block_untrusted_set(1)
        // A worker thumbnails each photo once: a cache of operations would only hold memory.
        vips_cache_set_max(0)
        cw_vips_silence_warnings()
        return true
    }()

    static func start() throws(ThumbnailError) {
        guard started else { throw ThumbnailError(.failed, "libvips could not start: \(lastError())") }
    }

    /// libvips' message for the failure just seen, taken out of its shared buffer (so another
    /// slot's failure does not show up in this one's message later).
    static func lastError() -> String {
        guard let copy = vips_error_buffer_copy() else { return "unknown libvips error" }
        defer { g_free(copy) }
        let text = String(cString: copy).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown libvips error" : text.replacingOccurrences(of: "\n", with: "; ")
    }
}

/// A libvips image, owned: `g_object_unref` runs in `deinit` and nowhere else.
final class VipsImageRef {
    let pointer: UnsafeMutablePointer<VipsImage>

    init(_ pointer: UnsafeMutablePointer<VipsImage>) { self.pointer = pointer }

    deinit { cw_vips_unref(pointer) }

    /// Runs an operation that writes a new image through `out`; `what` names it in errors.
    static func make(
        _ what: String, kind: ThumbnailError.Kind = .corrupt,
        _ operation: (UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32
    ) throws(ThumbnailError) -> VipsImageRef {
        var out: UnsafeMutablePointer<VipsImage>?
        guard operation(&out) == 0, let out else { throw ThumbnailError(kind, "\(what): \(Vips.lastError())") }
        return VipsImageRef(out)
    }

    var width: Int { Int(vips_image_get_width(pointer)) }
    var height: Int { Int(vips_image_get_height(pointer)) }
    var bands: Int { Int(vips_image_get_bands(pointer)) }
    var hasAlpha: Bool { vips_image_hasalpha(pointer) != 0 }
    var interpretation: String { String(cString: cw_vips_interpretation_name(pointer)) }
    func has(_ field: String) -> Bool { cw_vips_has_field(pointer, field) != 0 }

    /// The whole pipeline up to here, computed into memory (this is where decoding happens).
    func copiedToMemory() throws(ThumbnailError) -> VipsImageRef {
        guard let copy = vips_image_copy_memory(pointer) else { throw ThumbnailError(.corrupt, "decoding: \(Vips.lastError())") }
        return VipsImageRef(copy)
    }

    /// Bytes from a libvips save operation, copied into `Data` and the C buffer freed.
    func saved(_ what: String, _ save: (UnsafeMutablePointer<UnsafeMutableRawPointer?>, UnsafeMutablePointer<Int>) -> Int32) throws(ThumbnailError)
        -> Data
    {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard save(&buffer, &length) == 0, let buffer else { throw ThumbnailError(.corrupt, "\(what): \(Vips.lastError())") }
        defer { g_free(buffer) }
        return Data(bytes: buffer, count: length)
    }

    /// The band values at one pixel.
    func pixel(x: Int, y: Int) throws(ThumbnailError) -> [Double] {
        var vector: UnsafeMutablePointer<Double>?
        var count: Int32 = 0
        guard cw_vips_getpoint(pointer, &vector, &count, Int32(x), Int32(y)) == 0, let vector else {
            throw ThumbnailError(.failed, "reading pixel \(x),\(y): \(Vips.lastError())")
        }
        defer { g_free(vector) }
        return Array(UnsafeBufferPointer(start: vector, count: Int(count)))
    }
}
