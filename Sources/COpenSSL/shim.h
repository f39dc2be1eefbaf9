// OpenSSL 3 libcrypto: SHA-256 (fetched once per process, see swift-on-linux notes), HMAC,
// random bytes, base64. Function-like macros get inline wrappers here.
#ifndef REPRISE_COPENSSL_SHIM_H
#define REPRISE_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#endif
