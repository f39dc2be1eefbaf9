import HTTPTypes

/// How the body of a request is delimited, as its head declares it.
public enum HTTPRequestBodyFraming: Sendable, Equatable {
    /// No body (no `Content-Length`, or `Content-Length: 0`, and not chunked).
    case none
    /// Exactly this many bytes (> 0).
    case length(Int)
    /// `Transfer-Encoding: chunked`; the parser hands over the de-chunked bytes.
    case chunked
}

/// One step of a request as `HTTPRequestParser` reports it: a head, then zero or more body
/// pieces, then an end.
///
/// `body` points into the input given to the `parse` call that returned it: use or copy it
/// before the next call, and before that input buffer changes.
public enum HTTPRequestParseEvent {
    case head(HTTPRequestHead, HTTPRequestBodyFraming)
    case body(UnsafeRawBufferPointer)
    case end
}

/// Why a request was rejected, with the status the server answers it with.
///
/// `detail` is a fixed, human-readable sentence (it goes into a ProblemDetails body), never
/// an echo of the client's bytes. Value type; `Sendable`.
public struct HTTPRequestParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not HTTP/1.x as RFC 9112 writes it, or a framing that could be smuggled: 400.
        case malformed
        /// Start line plus headers longer than the limit: 431.
        case headerTooLarge
        /// Declared or received body longer than the limit: 413.
        case bodyTooLarge
        /// HTTP/2.0 or later in the start line: 505.
        case versionNotSupported
        /// A method the server will not serve over HTTP/1.1 (`CONNECT`): 501.
        case methodNotImplemented
    }

    public let kind: Kind
    public let detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    /// The status code the server answers with.
    public var status: Int {
        switch kind {
        case .malformed: return 400
        case .headerTooLarge: return 431
        case .bodyTooLarge: return 413
        case .versionNotSupported: return 505
        case .methodNotImplemented: return 501
        }
    }

    /// The ProblemDetails `title` for this error.
    public var title: String {
        switch kind {
        case .malformed: return "Bad request"
        case .headerTooLarge: return "Request header fields too large"
        case .bodyTooLarge: return "Request body too large"
        case .versionNotSupported: return "HTTP version not supported"
        case .methodNotImplemented: return "Method not implemented"
        }
    }

    public var description: String { "\(status) \(title): \(detail)" }
}

extension HTTPRequestParseError {
    /// The 431 error for a head over `limit` bytes.
    static func headerTooLarge(_ limit: Int) -> HTTPRequestParseError {
        HTTPRequestParseError(.headerTooLarge, "The request line and headers exceed the limit of \(limit) bytes.")
    }

    /// The 413 error for a body over `limit` bytes.
    static func bodyTooLarge(_ limit: Int) -> HTTPRequestParseError {
        HTTPRequestParseError(.bodyTooLarge, "The request body exceeds the limit of \(limit) bytes.")
    }
}
