/// A Replicate model named in the config: `owner/name`, or `owner/name:version` to single out
/// one version.
///
/// Owner and name take ASCII letters, digits, `-`, `_` and `.` (`black-forest-labs/flux-1.1-pro`);
/// a version id takes lowercase letters, digits and `-` (Replicate's are 64 lowercase hex
/// digits, but nothing here depends on that). No part may be empty. Value type; `Sendable`,
/// `Hashable` so it can key a table.
public struct ModelRef: Sendable, Hashable, CustomStringConvertible {
    public var owner: String
    public var name: String
    public var version: String?

    public init(owner: String, name: String, version: String? = nil) {
        self.owner = owner
        self.name = name
        self.version = version
    }

    public init(parsing text: String) throws(ConfigValueError) {
        let shape = "write owner/name or owner/name:version"
        let colon = text.firstIndex(of: ":")
        let model = colon.map { text[..<$0] } ?? text[...]
        let parts = model.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ConfigValueError("\(ValueText.quoted(text)) is not a model reference; \(shape)")
        }
        guard !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ConfigValueError("\(ValueText.quoted(text)) has an empty owner or name; \(shape)")
        }
        for part in parts where !part.utf8.allSatisfy(Self.isNameByte) {
            throw ConfigValueError(
                "\(ValueText.quoted(text)): '\(part)' may only hold letters, digits, '-', '_' and '.'")
        }
        if let colon {
            let version = text[text.index(after: colon)...]
            guard !version.isEmpty else {
                throw ConfigValueError("\(ValueText.quoted(text)) has an empty version after ':'; \(shape)")
            }
            guard version.utf8.allSatisfy(Self.isVersionByte) else {
                throw ConfigValueError(
                    "\(ValueText.quoted(text)): the version may only hold lowercase letters, digits and '-'")
            }
            self.version = String(version)
        } else {
            self.version = nil
        }
        owner = String(parts[0])
        name = String(parts[1])
    }

    /// `owner/name`, without the version: the `model` metric label of a configured model.
    public var modelName: String { "\(owner)/\(name)" }

    /// `owner/name` or `owner/name:version`, as written in the config.
    public var description: String { version.map { "\(modelName):\($0)" } ?? modelName }

    private static func isNameByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    private static func isVersionByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
