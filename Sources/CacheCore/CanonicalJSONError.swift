/// Why a parsed value has no RFC 8785 canonical form.
///
/// The parser already rejects everything else I-JSON forbids; what is left is a number the
/// grammar allows but an IEEE-754 double cannot hold. Value type; `Sendable`.
public struct CanonicalJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A number whose magnitude overflows a double (`1e400`); RFC 8785 §3.2.2.3.
        case numberOutOfRange = "number_out_of_range"
    }

    public let code: Code

    public init(_ code: Code) {
        self.code = code
    }

    /// A fixed, data-free label for logs and metrics.
    public var shortDescription: String { code.rawValue }

    public var description: String {
        switch code {
        case .numberOutOfRange: "JSON number is too large for an IEEE-754 double"
        }
    }
}
