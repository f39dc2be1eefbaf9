extension HTTPRequestParser {
    /// How many times the `chunked` coding appears among the comma-separated codings of every
    /// `Transfer-Encoding` field line (case-insensitive; spaces and tabs around codings ignored).
    /// More than one is refused: http-parser reads `chunked, chunked` as one chunked body, while
    /// an intermediary that de-chunks once would see another body boundary.
    static func chunkedCodingCount(_ fieldValues: [String]) -> Int {
        var count = 0
        for value in fieldValues {
            for word in value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
            where word.lowercased() == "chunked" {
                count += 1
            }
        }
        return count
    }
}
