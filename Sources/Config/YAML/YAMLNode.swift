/// One node of a YAML document as the config reader sees it: a mapping, a sequence or a scalar,
/// with the 1-based line it starts on so that every config error can say `FILE:LINE`.
///
/// Only what a config file needs is kept: no tags, anchors or aliases (the reader rejects them),
/// and mapping keys are plain strings. Mappings keep their entries in file order. Value type;
/// `Sendable`.
public struct YAMLNode: Sendable, Equatable {
    /// What the node holds.
    public enum Content: Sendable, Equatable {
        case scalar(YAMLScalar)
        case mapping([YAMLMappingEntry])
        case sequence([YAMLNode])
        /// Stands in for something the reader rejected (an alias, a tagged node). The reader has
        /// already reported it, so later stages skip it silently instead of piling up errors.
        case invalid
    }

    public var content: Content
    /// 1-based line where the node starts.
    public var line: Int

    public init(_ content: Content, line: Int) {
        self.content = content
        self.line = line
    }

    /// The scalar, if this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    /// The mapping entries, if this node is a mapping.
    public var entries: [YAMLMappingEntry]? {
        if case .mapping(let e) = content { return e }
        return nil
    }

    /// True for a plain empty scalar, `~` or `null`: the YAML way of writing "nothing".
    public var isNull: Bool { scalar?.isNull ?? false }

    /// The value under `key`, if this is a mapping that has it.
    public subscript(key: String) -> YAMLNode? {
        entries?.first(where: { $0.key == key })?.value
    }

    /// What a config error calls this kind of node ("a mapping", "a list", "a scalar").
    public var kindDescription: String {
        switch content {
        case .scalar(let s): return s.isNull ? "an empty value" : "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .invalid: return "an unsupported node"
        }
    }
}

/// A scalar's text and whether it was written plain (unquoted). Plainness matters only for
/// telling `null` from the string `"null"`. Value type.
public struct YAMLScalar: Sendable, Equatable {
    public var text: String
    public var isPlain: Bool

    public init(_ text: String, isPlain: Bool = true) {
        self.text = text
        self.isPlain = isPlain
    }

    /// YAML 1.2 core schema nulls; only unquoted ones count.
    public var isNull: Bool {
        isPlain && (text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }
}

/// One `key: value` pair of a mapping, with the key's own line (where "unknown key" points).
public struct YAMLMappingEntry: Sendable, Equatable {
    public var key: String
    public var keyLine: Int
    public var value: YAMLNode

    public init(key: String, keyLine: Int, value: YAMLNode) {
        self.key = key
        self.keyLine = keyLine
        self.value = value
    }
}
