/// One run of `JSONParser` over one buffer: the cursor and the stacks of open containers.
///
/// Values of open containers wait on `values` (and object keys on `keys`) until the closing
/// bracket, when they are moved into their array or object; `frames` says where each open
/// container's values start. Lives only for the duration of `JSONParser.parse`.
struct JSONParserState {
    /// An array or object whose closing bracket has not been seen yet.
    struct Frame {
        let isObject: Bool
        let valueStart: Int
        let keyStart: Int
        /// Built once an object has many members, so that duplicate checks stay linear.
        var keySet: Set<JSONString>?
    }

    /// Up to this many members, duplicate keys are found by scanning the earlier ones.
    static let linearKeyCheckLimit = 16

    let buf: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var i = 0
    var values: [JSONValue] = []
    var keys: [JSONString] = []
    var frames: [Frame] = []

    init(_ buf: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.buf = buf
        self.maxDepth = maxDepth
    }

    func error(_ code: JSONParseError.Code, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(code, at: offset ?? i)
    }

    /// `unexpectedEnd` when the cursor has run off the buffer, else `code`.
    func errorOrEnd(_ code: JSONParseError.Code) -> JSONParseError {
        error(i < buf.count ? code : .unexpectedEnd)
    }

    mutating func skipWhitespace() {
        while i < buf.count {
            switch buf[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    // MARK: - Structure

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        valueLoop: while true {
            skipWhitespace()
            guard i < buf.count else { throw error(.unexpectedEnd) }
            switch buf[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = buf[i] == UInt8(ascii: "{")
                try open(isObject: isObject)
                skipWhitespace()
                if i < buf.count && buf[i] == Self.closingBracket(isObject: isObject) {
                    i += 1
                    closeContainer()
                } else {
                    if isObject { try parseKeyAndColon() }
                    continue valueLoop
                }
            case UInt8(ascii: "\""): values.append(.string(try parseString()))
            case UInt8(ascii: "t"): try expectLiteral("true"); values.append(.bool(true))
            case UInt8(ascii: "f"): try expectLiteral("false"); values.append(.bool(false))
            case UInt8(ascii: "n"): try expectLiteral("null"); values.append(.null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(.number(try parseNumber()))
            default: throw error(.unexpectedCharacter)
            }
            // A value is complete: close containers until one expects another element.
            while true {
                skipWhitespace()
                guard let frame = frames.last else {
                    guard i == buf.count else { throw error(.trailingCharacters) }
                    return values.removeLast()
                }
                guard i < buf.count else { throw error(.unexpectedEnd) }
                let byte = buf[i]
                i += 1
                if byte == UInt8(ascii: ",") {
                    if frame.isObject {
                        skipWhitespace()
                        try parseKeyAndColon()
                    }
                    continue valueLoop
                }
                guard byte == Self.closingBracket(isObject: frame.isObject) else {
                    throw error(.unexpectedCharacter, at: i - 1)
                }
                closeContainer()
            }
        }
    }

    static func closingBracket(isObject: Bool) -> UInt8 {
        isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
    }

    mutating func open(isObject: Bool) throws(JSONParseError) {
        guard frames.count < maxDepth else { throw error(.nestingTooDeep) }
        frames.append(Frame(isObject: isObject, valueStart: values.count, keyStart: keys.count, keySet: nil))
        i += 1
    }

    /// Moves the innermost open container's values into it and leaves it on `values`.
    mutating func closeContainer() {
        let frame = frames.removeLast()
        let elements = Array(values[frame.valueStart...])
        values.removeSubrange(frame.valueStart...)
        guard frame.isObject else {
            values.append(.array(elements))
            return
        }
        var members: [JSONMember] = []
        members.reserveCapacity(elements.count)
        for (offset, value) in elements.enumerated() {
            members.append(JSONMember(key: keys[frame.keyStart + offset], value: value))
        }
        keys.removeSubrange(frame.keyStart...)
        values.append(.object(JSONObject(uniqueMembers: members)))
    }

    /// Reads `"key"` and `:` inside the innermost (object) frame, rejecting a repeated key.
    mutating func parseKeyAndColon() throws(JSONParseError) {
        guard i < buf.count, buf[i] == UInt8(ascii: "\"") else { throw errorOrEnd(.unexpectedCharacter) }
        let keyOffset = i
        let key = try parseString()
        let f = frames.count - 1
        let start = frames[f].keyStart
        if keys.count - start < Self.linearKeyCheckLimit {
            for j in start..<keys.count where keys[j] == key {
                throw error(.duplicateKey, at: keyOffset)
            }
        } else {
            if frames[f].keySet == nil {
                frames[f].keySet = Set(keys[start...])
            }
            guard frames[f].keySet!.insert(key).inserted else { throw error(.duplicateKey, at: keyOffset) }
        }
        keys.append(key)
        skipWhitespace()
        guard i < buf.count, buf[i] == UInt8(ascii: ":") else { throw errorOrEnd(.unexpectedCharacter) }
        i += 1
    }

    // MARK: - Scalars

    /// Decodes the string whose opening quote is at `i`, leaving `i` after the closing quote.
    mutating func parseString() throws(JSONParseError) -> JSONString {
        i += 1
        return JSONString(validatedUTF8: try JSONStringDecoder.decode(buf, at: &i, end: .closingQuote))
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = i
        for expected in UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount) {
            guard i < buf.count else { throw error(.unexpectedEnd) }
            guard buf[i] == expected else { throw error(.invalidLiteral, at: start) }
            i += 1
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = i
        i = try Self.numberEnd(buf, from: i)
        let lexeme = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
        return JSONNumber(validatedLexeme: lexeme)
    }

    /// End of the RFC 8259 number starting at `start`:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    static func numberEnd(_ buf: UnsafeBufferPointer<UInt8>, from start: Int) throws(JSONParseError) -> Int {
        var i = start
        func isDigit(_ k: Int) -> Bool { k < buf.count && buf[k] &- UInt8(ascii: "0") < 10 }
        func digits(_ i: inout Int) throws(JSONParseError) {
            guard i < buf.count else { throw JSONParseError(.unexpectedEnd, at: i) }
            guard isDigit(i) else { throw JSONParseError(.invalidNumber, at: i) }
            while isDigit(i) { i += 1 }
        }
        if i < buf.count && buf[i] == UInt8(ascii: "-") { i += 1 }
        if i < buf.count && buf[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { throw JSONParseError(.invalidNumber, at: i) }
        } else {
            try digits(&i)
        }
        if i < buf.count && buf[i] == UInt8(ascii: ".") {
            i += 1
            try digits(&i)
        }
        if i < buf.count && buf[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < buf.count && (buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-")) { i += 1 }
            try digits(&i)
        }
        return i
    }
}
