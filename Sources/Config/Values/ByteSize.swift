/// A number of bytes from the config file: `8MiB`, `512KiB`, `64KiB`, `1GiB`, `100B` or a plain
/// `1048576`.
///
/// Binary units (`KiB MiB GiB`, powers of 1024) are the normal spelling; decimal units (`KB MB
/// GB`, powers of 1000) are accepted for people who write them, and mean exactly that. Whole
/// numbers only, no space before the unit. Value type; `Sendable`.
public struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var bytes: Int

    public init(bytes: Int) {
        self.bytes = bytes
    }

    public static func kibibytes(_ n: Int) -> ByteSize { ByteSize(bytes: n * 1024) }
    public static func mebibytes(_ n: Int) -> ByteSize { ByteSize(bytes: n * 1024 * 1024) }

    private static let units: [(name: String, factor: Int)] = [
        ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10),
        ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1000), ("B", 1),
    ]

    public init(parsing text: String) throws(ConfigValueError) {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        let unitName = text[digits.endIndex...]
        guard !digits.isEmpty, let unit = unitName.isEmpty ? ("B", 1) : Self.units.first(where: { $0.name == unitName })
        else {
            throw ConfigValueError(
                "\(ValueText.quoted(text)) is not a size; write e.g. 512KiB, 8MiB, 1GiB or a number of bytes")
        }
        guard let n = Int(digits) else { throw ConfigValueError("\(ValueText.quoted(text)) is too large") }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: unit.factor)
        guard !overflow else { throw ConfigValueError("\(ValueText.quoted(text)) is too large") }
        self.bytes = bytes
    }

    /// The largest binary unit that divides the size exactly (`8388608` → `8MiB`).
    public var description: String {
        for (name, factor) in Self.units where name.hasSuffix("iB") && bytes != 0 && bytes % factor == 0 {
            return "\(bytes / factor)\(name)"
        }
        return "\(bytes)B"
    }

    public static func < (a: ByteSize, b: ByteSize) -> Bool { a.bytes < b.bytes }
}
