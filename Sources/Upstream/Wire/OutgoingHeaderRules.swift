import HTTPTypes

/// Which of a request's fields the engines send, shared by the curl header list and the native
/// `RequestWriter` so that both send the same request.
///
/// Framing fields (`Content-Length`, `Transfer-Encoding`) belong to the engine, which derives
/// them from the body; `Expect` is dropped (curl would wait for 100 Continue, and no caller
/// needs it). A field whose name is not a token, or whose value holds CR, LF or NUL, cannot be
/// sent: it could smuggle a second request or field. Pure functions; thread-safe.
enum OutgoingHeaderRules {
    /// True for a caller's field the engine drops because it writes (or refuses) it itself.
    static func isEngineOwned(_ name: String) -> Bool {
        HTTPHeaderName.contentLength.matches(name) || HTTPHeaderName.transferEncoding.matches(name)
            || HTTPHeaderName.expect.matches(name)
    }

    /// True when the field can go on the wire as it is.
    static func isSendable(_ field: HTTPHeaders.Element) -> Bool {
        !field.name.isEmpty && field.name.utf8.allSatisfy(HTTPMethod.isTokenChar)
            && !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
    }
}
