/// One `"key": value` pair of a `JSONObject`.
public struct JSONMember: Equatable, Sendable {
    public var key: JSONString
    public var value: JSONValue

    public init(key: JSONString, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON object that keeps its members in document order.
///
/// Order matters for passing bodies on unchanged; canonical order is CacheCore's business.
/// Invariant: no two members have the same key (compared by exact code points). The parser
/// rejects duplicates, and the mutating API replaces a member in place instead of adding a
/// second one. Lookups are linear scans: request and prediction objects have a handful of
/// members. Equality compares members in order. Value type; `Sendable`.
public struct JSONObject: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var members: [JSONMember]

    public init() {
        members = []
    }

    /// Members whose keys the caller guarantees to be distinct (the parser's output).
    init(uniqueMembers: [JSONMember]) {
        members = uniqueMembers
    }

    /// Keeps the literal's order. Repeating a key in a literal is a programming error.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(literalPairs: elements)
    }

    /// Shared by the object and `JSONValue` literals.
    init(literalPairs: [(String, JSONValue)]) {
        members = []
        members.reserveCapacity(literalPairs.count)
        for (key, value) in literalPairs {
            precondition(index(of: key) == nil, "duplicate key \(key) in a JSON object literal")
            members.append(JSONMember(key: JSONString(key), value: value))
        }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [JSONString] { members.map(\.key) }

    /// Position of the member named `key` (exact code points), if any.
    public func index(of key: String) -> Int? {
        members.firstIndex { $0.key.hasSameCodePoints(as: key) }
    }

    /// The value of member `key`. Setting a value replaces the member where it stands or
    /// appends it; setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { members[$0].value } }
        set {
            switch (index(of: key), newValue) {
            case let (i?, value?): members[i].value = value
            case let (i?, nil): members.remove(at: i)
            case let (nil, value?): members.append(JSONMember(key: JSONString(key), value: value))
            case (nil, nil): break
            }
        }
    }
}
