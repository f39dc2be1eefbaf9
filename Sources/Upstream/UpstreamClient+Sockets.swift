@preconcurrency import Glibc
import CCurl
import EventLoop

/// The glue between libcurl's multi socket interface and the loop: curl says which sockets to
/// watch for what (CURLMOPT_SOCKETFUNCTION) and when to call it back (CURLMOPT_TIMERFUNCTION);
/// the loop reports readiness and the timer with `curl_multi_socket_action`.
///
/// Descriptor numbers are reused by the kernel, and curl announces some socket removals only
/// after it closed the socket (its resolver's socketpair, for one). So: sockets curl closes go
/// through our close-socket callback, which unregisters before closing; a socket curl creates
/// drops any stale watch with the same number (CURLOPT_SOCKOPTFUNCTION); and nothing is ever
/// unregistered from the loop unless the loop's registration for that number is our own watch.
///
/// A keep-alive connection goes back to curl's pool after every response (CURL_POLL_REMOVE) and
/// is asked for again by the next request (CURL_POLL_IN): unregistering and registering it cost
/// two `epoll_ctl` and a watch per request. Connection sockets — made and closed through our
/// callbacks, so their number can never be reused behind our back — stay registered while
/// pooled, as a dormant watch; an event on one (upstream closed or reset it) unregisters it,
/// and curl finds the connection dead when it checks it before reuse.
extension UpstreamClient {
    /// CURLMOPT_SOCKETFUNCTION.
    func curlWantsSocket(_ fd: Int32, _ what: Int32) {
        if what == CURL_POLL_REMOVE {
            if connectionSockets.contains(fd), let watch = watches[fd], loop.isRegistered(fd: fd, handler: watch) {
                watch.dormant = true
            } else {
                forgetSocket(fd)
            }
            return
        }
        var interest: IOInterest = []
        if what & CURL_POLL_IN != 0 { interest.insert(.read) }
        if what & CURL_POLL_OUT != 0 { interest.insert(.write) }
        if let watch = watches[fd], loop.isRegistered(fd: fd, handler: watch) {
            watch.dormant = false
            loop.setInterest(fd: fd, interest)
            return
        }
        let watch = CurlSocketWatch(client: self, fd: fd)
        watches[fd] = watch
        loop.register(fd: fd, interest: interest, handler: watch)
    }

    /// CURLMOPT_TIMERFUNCTION: call `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)` in `ms`
    /// milliseconds (0: as soon as possible, but not from inside this callback); -1: never.
    func curlWantsTimer(_ ms: Int) {
        if let curlTimer {
            loop.cancel(curlTimer)
            self.curlTimer = nil
        }
        guard ms >= 0 else { return }
        // A timer popped in the same batch as its own cancellation still runs: the generation
        // tells a stale one from the current one.
        curlTimerGeneration &+= 1
        let generation = curlTimerGeneration
        if ms == 0 {
            // "Now" (a transfer was added or unpaused): the end of this tick, without a timer.
            loop.deferToEndOfTick { [weak self] in
                guard let self, self.curlTimerGeneration == generation else { return }
                self.socketAction(CCURL_SOCKET_TIMEOUT, 0)
            }
            return
        }
        curlTimer = loop.schedule(after: .milliseconds(ms)) { [weak self] in
            guard let self, self.curlTimerGeneration == generation else { return }
            self.curlTimer = nil
            self.socketAction(CCURL_SOCKET_TIMEOUT, 0)
        }
    }

    /// CURLOPT_SOCKOPTFUNCTION: a socket curl just made. A watch under its number is stale.
    func curlCreatedSocket(_ fd: Int32) {
        forgetSocket(fd)
        connectionSockets.insert(fd)
    }

    /// CURLOPT_CLOSESOCKETFUNCTION: stop watching, then close.
    func curlClosesSocket(_ fd: Int32) -> Int32 {
        connectionSockets.remove(fd)
        forgetSocket(fd)
        return Glibc.close(fd)
    }

    /// Drops the watch for `fd`, unregistering it only if the loop's registration is ours.
    func forgetSocket(_ fd: Int32) {
        guard let watch = watches.removeValue(forKey: fd) else { return }
        if loop.isRegistered(fd: fd, handler: watch) { loop.unregister(fd: fd) }
    }

    /// The loop saw `events` on one of curl's sockets.
    func socketReady(_ fd: Int32, _ events: IOEvents) {
        if let watch = watches[fd], watch.dormant {
            // A pooled connection spoke, closed or was reset: not curl's business until it
            // reuses it (and finds it dead). Unregistered, not just silenced: epoll reports a
            // hang-up or error whatever the interest, and level-triggered would spin the loop.
            forgetSocket(fd)
            return
        }
        var mask: Int32 = 0
        // A hang-up or an error is for curl to discover by reading or writing.
        if !events.isDisjoint(with: [.readable, .hangup, .error]) { mask |= CURL_CSELECT_IN }
        if !events.isDisjoint(with: [.writable, .error]) { mask |= CURL_CSELECT_OUT }
        socketAction(fd, mask)
    }

    /// Lets curl make progress on `fd` (or on timeouts), then finishes what completed.
    func socketAction(_ fd: Int32, _ mask: Int32) {
        guard let multi else { return }
        var running: Int32 = 0
        let rc = withCurl { curl_multi_socket_action(multi, fd, mask, &running) }
        if rc != CURLM_OK {
            logger.error(
                "curl_multi_socket_action failed", ["error": .string(String(cString: curl_multi_strerror(rc)))])
        }
        drainCompletions()
    }
}
