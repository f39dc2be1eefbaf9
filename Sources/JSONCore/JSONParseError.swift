/// Why a body is not the strict RFC 8259 / I-JSON text Reprise can key, and where.
///
/// `code` is a bounded set (fit for a log field or metric label); `offset` is the byte offset
/// into the parsed buffer at which the problem was found. Value type; `Sendable`.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// The text stopped in the middle of a value (or was empty).
        case unexpectedEnd = "unexpected_end"
        /// A byte that cannot start or continue the expected token.
        case unexpectedCharacter = "unexpected_character"
        /// `tru`, `nul`, `True` and the like.
        case invalidLiteral = "invalid_literal"
        /// Not RFC 8259 number grammar: `01`, `1.`, `.5`, `+1`, `1e`.
        case invalidNumber = "invalid_number"
        /// A raw control character (U+0000–U+001F) inside a string.
        case controlCharacterInString = "control_character_in_string"
        /// A backslash followed by something other than `"\/bfnrtu`.
        case invalidEscape = "invalid_escape"
        /// `\u` not followed by four hex digits.
        case invalidUnicodeEscape = "invalid_unicode_escape"
        /// A `\uD800`–`\uDFFF` escape that is not half of a surrogate pair (I-JSON forbids it).
        case loneSurrogate = "lone_surrogate"
        /// Bytes that are not well-formed UTF-8 (including encoded surrogates and overlongs).
        case invalidUTF8 = "invalid_utf8"
        /// The same key twice in one object (same code points, however they were escaped).
        case duplicateKey = "duplicate_key"
        /// Arrays and objects nested deeper than the parser's `maxDepth`.
        case nestingTooDeep = "nesting_too_deep"
        /// Something other than whitespace after the document.
        case trailingCharacters = "trailing_characters"
    }

    public let code: Code
    public let offset: Int

    public init(_ code: Code, at offset: Int) {
        self.code = code
        self.offset = offset
    }

    /// A fixed, data-free label for logs and metrics.
    public var shortDescription: String { code.rawValue }

    public var description: String {
        "\(message) at byte \(offset)"
    }

    /// Human-readable text for a ProblemDetails `detail`; never echoes the body's content.
    public var message: String {
        switch code {
        case .unexpectedEnd: "JSON text ends unexpectedly"
        case .unexpectedCharacter: "unexpected character in JSON"
        case .invalidLiteral: "invalid literal (expected true, false or null)"
        case .invalidNumber: "invalid JSON number"
        case .controlCharacterInString: "unescaped control character in JSON string"
        case .invalidEscape: "invalid escape sequence in JSON string"
        case .invalidUnicodeEscape: "\\u escape needs four hexadecimal digits"
        case .loneSurrogate: "unpaired UTF-16 surrogate escape in JSON string"
        case .invalidUTF8: "JSON text is not valid UTF-8"
        case .duplicateKey: "duplicate key in JSON object"
        case .nestingTooDeep: "JSON nested too deeply"
        case .trailingCharacters: "unexpected data after the JSON value"
        }
    }
}
