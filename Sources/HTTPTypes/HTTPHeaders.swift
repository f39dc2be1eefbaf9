/// An ordered list of header fields, as received or as to be sent.
///
/// Order and the original case of names are kept (a proxy should change as little as it
/// can); lookups are case-insensitive through `HTTPHeaderName`. Repeated fields stay separate
/// entries. Value type; `Sendable`.
public struct HTTPHeaders: Sendable, Sequence, Equatable, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: String)

    @usableFromInline var fields: [Element]

    public init() { fields = [] }

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> { fields.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// Appends a field, keeping any existing one of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    public mutating func add(_ name: HTTPHeaderName, _ value: String) {
        fields.append((name: name.lowercased, value: value))
    }

    /// Replaces every field of that name with one field.
    public mutating func set(_ name: HTTPHeaderName, _ value: String) {
        remove(name)
        fields.append((name: name.lowercased, value: value))
    }

    public mutating func remove(_ name: HTTPHeaderName) {
        fields.removeAll { name.matches($0.name) }
    }

    /// Removes fields for which `shouldRemove` returns true.
    public mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        fields.removeAll(where: shouldRemove)
    }

    /// The first value of that name.
    public subscript(_ name: HTTPHeaderName) -> String? {
        for f in fields where name.matches(f.name) { return f.value }
        return nil
    }

    /// Every value of that name, in order.
    public func values(_ name: HTTPHeaderName) -> [String] {
        fields.filter { name.matches($0.name) }.map(\.value)
    }

    public func contains(_ name: HTTPHeaderName) -> Bool {
        fields.contains { name.matches($0.name) }
    }

    /// True when a comma-separated header (e.g. `Connection`) lists `token`, any case.
    public func hasToken(_ token: String, in name: HTTPHeaderName) -> Bool {
        let want = HTTPHeaderName(token)
        for v in values(name) {
            for part in v.split(separator: ",") {
                let t = part.trimmingASCIISpaces()
                if want.matches(String(t)) { return true }
            }
        }
        return false
    }
}

extension Substring {
    /// Trims spaces and tabs (HTTP's OWS) without Foundation.
    public func trimmingASCIISpaces() -> Substring {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
