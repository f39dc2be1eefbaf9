import ReplicateAPI

/// Feeds `bytes` to a new parser in pieces of `pieceSize`, then finishes the stream.
func parseInPieces(_ bytes: [UInt8], pieceSize: Int) -> (events: [SSEParsedEvent], parser: SSEEventParser) {
    var parser = SSEEventParser()
    var events: [SSEParsedEvent] = []
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + pieceSize, bytes.count)
        events += parser.feed(Array(bytes[offset..<end]))
        offset = end
    }
    events += parser.finish()
    return (events, parser)
}
