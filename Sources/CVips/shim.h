#ifndef CALWORKER_CVIPS_SHIM_H
#define CALWORKER_CVIPS_SHIM_H
// libvips, wrapped by the Thumbnails module only. pkg-config (vips.pc, from libvips-dev)
// supplies the include paths and GLib. Most libvips operations are variadic (optional
// arguments as name/value pairs, NULL-terminated), which Swift cannot call: one typed wrapper
// per use, prefixed cw_ so nobody mistakes them for libvips' own API.
#include <vips/vips.h>

/// Reads the header only (libvips is lazy): size, bands, loader, metadata. Sequential
/// access streams a decode top to bottom; random access allows reading any pixel.
static inline VipsImage *cw_vips_image_new_from_buffer(const void *data, size_t length, int sequential) {
    return vips_image_new_from_buffer(data, length, "", "access", sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM, NULL);
}

/// Shrink-on-load thumbnail: JPEG and WebP decode at reduced size, EXIF orientation applied,
/// colour-managed to sRGB when the image carries a profile. `strict` fails on any decoder
/// warning (truncation, damaged entropy-coded data), as sharp does by default. libvips 8.14
/// does not hand its `fail_on` property to the loader of a buffer (only of a file), so it
/// goes through the loader's option string instead.
static inline int cw_vips_thumbnail_buffer(void *data, size_t length, VipsImage **out, int width, int height,
                                           int crop, int size, int strict) {
    return vips_thumbnail_buffer(data, length, out, width, "height", height, "crop", (VipsInteresting)crop,
                                 "size", (VipsSize)size, "option_string", strict ? "fail-on=warning" : "", NULL);
}

static void cw_vips_ignore_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void)domain; (void)level; (void)message; (void)data;
}

/// libvips reports problems twice: as the operation's error (which we return) and as GLib
/// warnings on stderr ("error in tile 0 x 296"). The second would only clutter the logs.
static inline void cw_vips_silence_warnings(void) {
    g_log_set_handler("VIPS", (GLogLevelFlags)(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO), cw_vips_ignore_log, NULL);
}

static inline int cw_vips_colourspace_srgb(VipsImage *in, VipsImage **out) {
    return vips_colourspace(in, out, VIPS_INTERPRETATION_sRGB, NULL);
}

/// Alpha flattened onto white (JPEG has no alpha; libvips would flatten onto black).
static inline int cw_vips_flatten_white(VipsImage *in, VipsImage **out) {
    VipsArrayDouble *background = vips_array_double_newv(1, 255.0);
    int result = vips_flatten(in, out, "background", background, NULL);
    vips_area_unref(VIPS_AREA(background));
    return result;
}

/// JPEG without metadata (EXIF, XMP, ICC stripped), Huffman tables optimised.
static inline int cw_vips_jpegsave_buffer(VipsImage *in, void **data, size_t *length, int quality) {
    return vips_jpegsave_buffer(in, data, length, "Q", quality, "strip", TRUE, "optimize_coding", TRUE, NULL);
}

static inline int cw_vips_webpsave_buffer(VipsImage *in, void **data, size_t *length, int quality) {
    return vips_webpsave_buffer(in, data, length, "Q", quality, "strip", TRUE, NULL);
}

/// Any format libvips can write, chosen by suffix (".png", ".heic[compression=hevc]").
static inline int cw_vips_image_write_to_buffer(VipsImage *in, const char *suffix, void **data, size_t *length) {
    return vips_image_write_to_buffer(in, suffix, data, length, NULL);
}

static inline int cw_vips_getpoint(VipsImage *in, double **vector, int *count, int x, int y) {
    return vips_getpoint(in, vector, count, x, y, NULL);
}

static inline void cw_vips_unref(VipsImage *image) { g_object_unref(image); }

static inline int cw_vips_has_field(VipsImage *image, const char *name) {
    return vips_image_get_typeof(image, name) != 0;
}

static inline const char *cw_vips_interpretation_name(VipsImage *image) {
    return vips_enum_nick(VIPS_TYPE_INTERPRETATION, vips_image_get_interpretation(image));
}

/// An image from pixels in memory (copied), for synthetic test and benchmark photos.
static inline VipsImage *cw_vips_image_from_pixels(const void *pixels, size_t length, int width, int height, int bands) {
    return vips_image_new_from_memory_copy(pixels, length, width, height, bands, VIPS_FORMAT_UCHAR);
}
#endif
