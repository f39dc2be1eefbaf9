// hiredis 0.14 core and async API. Linked directly (not through its pkg-config file, which
// adds -D_FILE_OFFSET_BITS=64 and /usr/include/hiredis to the include path).
#ifndef REPRISE_CHIREDIS_SHIM_H
#define REPRISE_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <hiredis/async.h>

/// The ev adapter slots are plain struct fields; these setters keep Swift away from the
/// struct layout of redisAsyncContext.
static inline void chiredis_set_adapter(redisAsyncContext *ac, void *data,
    void (*addRead)(void *), void (*delRead)(void *),
    void (*addWrite)(void *), void (*delWrite)(void *), void (*cleanup)(void *)) {
    ac->ev.data = data;
    ac->ev.addRead = addRead;
    ac->ev.delRead = delRead;
    ac->ev.addWrite = addWrite;
    ac->ev.delWrite = delWrite;
    ac->ev.cleanup = cleanup;
}
static inline int chiredis_async_fd(const redisAsyncContext *ac) { return ac->c.fd; }
static inline int chiredis_async_err(const redisAsyncContext *ac) { return ac->err; }
static inline const char *chiredis_async_errstr(const redisAsyncContext *ac) { return ac->errstr; }
/// The adapter's `ev.data` (what `chiredis_set_adapter` stored), for connect/disconnect callbacks.
static inline void *chiredis_adapter_data(const redisAsyncContext *ac) { return ac->ev.data; }
/// The inner context's error: set before `onConnect(REDIS_ERR)` runs, when `ac->err` is not yet.
static inline int chiredis_context_err(const redisAsyncContext *ac) { return ac->c.err; }
static inline const char *chiredis_context_errstr(const redisAsyncContext *ac) { return ac->c.errstr; }
#endif
