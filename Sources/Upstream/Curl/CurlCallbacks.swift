import CCurl

/// The C entry points libcurl calls. Each recovers its Swift object from the `void *` context
/// curl hands back and forwards to a method. The contexts are unretained `Unmanaged` pointers:
/// the client outlives its multi handle, and a transfer stays in the client's table for as long
/// as its easy handle is in the multi. All run on the loop thread, inside a curl call the client
/// made.
enum CurlCallbacks {
    static let socket: curl_socket_callback = { _, fd, what, context, _ in
        client(context).curlWantsSocket(fd, what)
        return 0
    }

    static let timer: curl_multi_timer_callback = { _, ms, context in
        client(context).curlWantsTimer(ms)
        return 0
    }

    static let closeSocket: curl_closesocket_callback = { context, fd in
        client(context).curlClosesSocket(fd)
    }

    static let socketOptions: curl_sockopt_callback = { context, fd, _ in
        client(context).curlCreatedSocket(fd)
        return Int32(CURL_SOCKOPT_OK)
    }

    static let openSocket: curl_opensocket_callback = { context, _, address in
        transfer(context).curlOpenSocket(address)
    }

    static let header: curl_write_callback = { data, size, count, context in
        transfer(context).curlHeader(UnsafeRawBufferPointer(start: data, count: size * count))
    }

    static let write: curl_write_callback = { data, size, count, context in
        transfer(context).curlWrite(UnsafeRawBufferPointer(start: data, count: size * count))
    }

    static let read: curl_read_callback = { buffer, size, count, context in
        guard let buffer else { return 0 }
        return transfer(context).curlRead(into: buffer, capacity: size * count)
    }

    static let seek: curl_seek_callback = { context, offset, origin in
        transfer(context).curlSeek(offset: Int64(offset), origin: origin)
    }

    private static func client(_ context: UnsafeMutableRawPointer?) -> UpstreamClient {
        Unmanaged<UpstreamClient>.fromOpaque(context!).takeUnretainedValue()
    }

    private static func transfer(_ context: UnsafeMutableRawPointer?) -> UpstreamTransfer {
        Unmanaged<UpstreamTransfer>.fromOpaque(context!).takeUnretainedValue()
    }
}
