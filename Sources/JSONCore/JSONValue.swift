/// A parsed JSON document, lossless enough to canonicalise and to pass on.
///
/// Objects keep member order and exact key bytes, numbers keep their lexeme, strings are
/// decoded UTF-8 bytes (see `JSONString`, `JSONNumber`, `JSONObject`). Build one with
/// `JSONParser`, with literals, or case by case; write one with `serialized()`.
/// Equality is structural and lexical (`1` ≠ `1.0`, member order counts). Depth is bounded
/// by whoever built the tree (the parser allows `JSONParser.defaultMaxDepth`), and the
/// recursive walks over it rely on that. Value type; `Sendable`.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(JSONString)
    case array([JSONValue])
    case object(JSONObject)
}

// MARK: - Accessors

extension JSONValue {
    /// Member `key` of an object (nil for a missing key or a non-object).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let o) = self else { return nil }
        return o[key]
    }

    /// Element `index` of an array (nil when out of range or not an array).
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var numberValue: JSONNumber? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The number as a double; nil for non-numbers and for numbers that overflow a double.
    public var doubleValue: Double? { numberValue?.double }

    public var intValue: Int? { numberValue?.int }

    public var jsonStringValue: JSONString? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var stringValue: String? { jsonStringValue?.string }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(JSONString(value)) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(literalPairs: elements))
    }
}
