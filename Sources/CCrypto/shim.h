#ifndef CALWORKER_CCRYPTO_SHIM_H
#define CALWORKER_CCRYPTO_SHIM_H
// OpenSSL's libcrypto (EVP AEAD ciphers, digests, HMAC, random bytes), wrapped by the Crypto
// module only. pkg-config (libcrypto.pc, from libssl-dev) supplies the include path.
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#endif
