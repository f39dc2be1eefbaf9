/// Recursive-descent JSON parser over a byte buffer, producing `FakeJSON`.
///
/// Strict RFC 8259: no comments, no trailing commas, no leading zeros, control characters must
/// be escaped. Nesting is limited (`maxDepth`) so a hostile body cannot exhaust the stack.
/// Lone UTF-16 surrogates in `\u` escapes become U+FFFD, and invalid UTF-8 is repaired the same
/// way (`String(decoding:)`). Lives for one parse; borrows the buffer.
struct FakeJSONParser {
    static let maxDepth = 64

    private let buf: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var depth = 0

    init(_ buf: UnsafeBufferPointer<UInt8>) {
        self.buf = buf
    }

    mutating func parseDocument() throws(FakeJSONError) -> FakeJSON {
        skipWhitespace()
        let v = try parseValue()
        skipWhitespace()
        guard i == buf.count else { throw fail("unexpected content after the JSON value") }
        return v
    }

    private func fail(_ reason: String) -> FakeJSONError {
        FakeJSONError(offset: i, reason: reason)
    }

    private mutating func skipWhitespace() {
        while i < buf.count {
            switch buf[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(FakeJSONError) -> FakeJSON {
        guard i < buf.count else { throw fail("unexpected end of input") }
        switch buf[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(FakeJSONError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= buf.count else { throw fail("unexpected end of input") }
        let w = UnsafeBufferPointer(start: word.utf8Start, count: n)
        for k in 0..<n where buf[i + k] != w[k] { throw fail("invalid literal") }
        i += n
    }

    private mutating func enter() throws(FakeJSONError) {
        depth += 1
        guard depth <= FakeJSONParser.maxDepth else { throw fail("nesting too deep") }
    }

    private mutating func parseObject() throws(FakeJSONError) -> FakeJSON {
        try enter()
        defer { depth -= 1 }
        i += 1
        var members: [FakeJSON.Member] = []
        skipWhitespace()
        if i < buf.count && buf[i] == UInt8(ascii: "}") {
            i += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard i < buf.count, buf[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard i < buf.count, buf[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipWhitespace()
            members.append(FakeJSON.Member(key: key, value: try parseValue()))
            skipWhitespace()
            guard i < buf.count else { throw fail("unexpected end of input") }
            if buf[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard buf[i] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            i += 1
            return .object(members)
        }
    }

    private mutating func parseArray() throws(FakeJSONError) -> FakeJSON {
        try enter()
        defer { depth -= 1 }
        i += 1
        var items: [FakeJSON] = []
        skipWhitespace()
        if i < buf.count && buf[i] == UInt8(ascii: "]") {
            i += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard i < buf.count else { throw fail("unexpected end of input") }
            if buf[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard buf[i] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            i += 1
            return .array(items)
        }
    }

    private mutating func parseString() throws(FakeJSONError) -> String {
        i += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard i < buf.count else { throw fail("unterminated string") }
            let b = buf[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                i += 1
                try parseEscape(into: &out)
            case 0..<0x20:
                throw fail("unescaped control character in string")
            default:
                out.append(b)
                i += 1
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(FakeJSONError) {
        guard i < buf.count else { throw fail("unterminated escape") }
        let e = buf[i]
        i += 1
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate counts only when a low one follows.
                if i + 1 < buf.count, buf[i] == UInt8(ascii: "\\"), buf[i + 1] == UInt8(ascii: "u") {
                    let save = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = save
                        scalar = 0xFFFD
                    }
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00..<0xE000).contains(scalar) {
                scalar = 0xFFFD
            }
            out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            throw fail("invalid escape")
        }
    }

    private mutating func hex4() throws(FakeJSONError) -> UInt32 {
        guard i + 4 <= buf.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = buf[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func parseNumber() throws(FakeJSONError) -> FakeJSON {
        let start = i
        if buf[i] == UInt8(ascii: "-") { i += 1 }
        guard i < buf.count, isDigit(buf[i]) else { throw fail("invalid number") }
        if buf[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < buf.count && isDigit(buf[i]) { i += 1 }
        }
        if i < buf.count && buf[i] == UInt8(ascii: ".") {
            i += 1
            guard i < buf.count, isDigit(buf[i]) else { throw fail("invalid number") }
            while i < buf.count && isDigit(buf[i]) { i += 1 }
        }
        if i < buf.count && (buf[i] == UInt8(ascii: "e") || buf[i] == UInt8(ascii: "E")) {
            i += 1
            if i < buf.count && (buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < buf.count, isDigit(buf[i]) else { throw fail("invalid number") }
            while i < buf.count && isDigit(buf[i]) { i += 1 }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self))
    }

    private func isDigit(_ b: UInt8) -> Bool {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    }
}
