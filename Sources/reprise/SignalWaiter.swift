@preconcurrency import Glibc

/// Delivers SIGTERM, SIGINT and SIGHUP to one thread that waits for them with `sigwait`.
///
/// The signals are blocked in the main thread before any other thread starts, so every thread
/// inherits the mask and only `next()` ever sees them: no async-signal-safety puzzles, no
/// handler running on an event loop. SIGPIPE is ignored process-wide (writes use MSG_NOSIGNAL
/// too; curl and hiredis may not). Threading: `blockAll` once at start, on the main thread;
/// `next` from one thread.
enum SignalWaiter {
    enum Signal {
        case terminate
        case reload
    }

    static func blockAll() {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks until one of the signals arrives.
    static func next() -> Signal {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGHUP)
        while true {
            var sig: Int32 = 0
            if sigwait(&set, &sig) == 0 {
                return sig == SIGHUP ? .reload : .terminate
            }
        }
    }
}
