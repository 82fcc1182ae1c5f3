#ifndef CALWORKER_CCURL_SHIM_H
#define CALWORKER_CCURL_SHIM_H
// libcurl, wrapped by the HTTPClient module only. pkg-config (libcurl.pc) supplies the include
// path. curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
// wrapper per argument type, prefixed cw_ so nobody mistakes them for libcurl's own API.
#include <curl/curl.h>

typedef size_t (*cw_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef size_t (*cw_curl_read_callback)(char *buffer, size_t size, size_t count, void *context);
typedef int (*cw_curl_xferinfo_callback)(void *context, curl_off_t download_total, curl_off_t download_now,
                                         curl_off_t upload_total, curl_off_t upload_now);

static inline CURLcode cw_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cw_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cw_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cw_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cw_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cw_curl_setopt_data_callback(CURL *handle, CURLoption option, cw_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cw_curl_setopt_read_callback(CURL *handle, cw_curl_read_callback value) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, value);
}

static inline CURLMcode cw_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// The finished transfer's result from a CURLMSG_DONE message (a union member in C).
static inline CURLcode cw_curl_msg_result(const CURLMsg *message) {
    return message->data.result;
}

static inline CURLcode cw_curl_setopt_xferinfo_callback(CURL *handle, cw_curl_xferinfo_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

static inline CURLcode cw_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode cw_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
#endif
