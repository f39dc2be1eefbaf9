import HTTPTypes
import ReplicateAPI
import Testing

@Suite struct AuthTokenTests {
    static let secret = "r8_SECRETsecret0123456789"

    private func bytes(_ t: AuthToken) -> String {
        t.withUnsafeTokenBytes { String(decoding: $0, as: UTF8.self) }
    }

    @Test(arguments: [
        ("Bearer " + secret, AuthToken.Scheme.bearer), ("bearer " + secret, .bearer), ("BEARER  " + secret, .bearer),
        ("Token " + secret, .token), ("token\t" + secret, .token), ("  Bearer " + secret + " ", .bearer),
    ])
    func parses(header: String, scheme: AuthToken.Scheme) throws {
        let t = try #require(AuthToken(authorization: header))
        #expect(t.scheme == scheme)
        #expect(bytes(t) == Self.secret)
    }

    @Test(arguments: [
        "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b", "Bearertoken", secret, "Token \u{1}x",
        "Bearer é",
    ])
    func rejects(header: String) {
        #expect(AuthToken(authorization: header) == nil)
    }

    /// Every value made of up to four pieces from schemes, tokens, blanks and odd bytes parses
    /// as the string-level reference does.
    @Test func agreesWithTheStringLevelReferenceOnEveryShortValue() {
        let pieces = ["Bearer", "bEaReR", "Token", "Basic", " ", "\t", "  ", "r8_x", "a b", "\u{7f}", "é", "\u{301}", "\r"]
        var values = [""]
        var frontier = [""]
        for _ in 1...4 {
            frontier = frontier.flatMap { prefix in pieces.map { prefix + $0 } }
            values += frontier
        }
        for value in values {
            let parsed = AuthToken(authorization: value)
            let expected = Self.reference(value)
            #expect(parsed?.scheme == expected?.scheme, "\(Array(value.utf8))")
            #expect(parsed.map(bytes) == expected?.token, "\(Array(value.utf8))")
        }
    }

    /// The parsing rules spelled the slow way, over an array of the value's bytes.
    static func reference(_ value: String) -> (scheme: AuthToken.Scheme, token: String)? {
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
        func trim(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var s = s
            while let f = s.first, blank(f) { s = s.dropFirst() }
            while let l = s.last, blank(l) { s = s.dropLast() }
            return s
        }
        let trimmed = trim(Array(value.utf8)[...])
        guard let space = trimmed.firstIndex(where: blank) else { return nil }
        let scheme: AuthToken.Scheme
        switch String(decoding: trimmed[..<space], as: UTF8.self).lowercased() {
        case "bearer": scheme = .bearer
        case "token": scheme = .token
        default: return nil
        }
        let token = trim(trimmed[space...])
        guard !token.isEmpty, token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return (scheme, String(decoding: token, as: UTF8.self))
    }

    @Test func fromHeaders() throws {
        let one: HTTPHeaders = ["Authorization": "Bearer " + Self.secret]
        #expect(try bytes(#require(AuthToken(headers: one))) == Self.secret)
        let none: HTTPHeaders = ["Accept": "*/*"]
        #expect(AuthToken(headers: none) == nil)
        var two = one
        two.add("authorization", "Token other")
        #expect(AuthToken(headers: two) == nil)
    }

    @Test func neverPrintsTheToken() throws {
        let t = try #require(AuthToken(authorization: "Bearer " + Self.secret))
        var dumped = ""
        dump(t, to: &dumped)
        let renderings = [
            "\(t)", String(describing: t), String(reflecting: t), t.description, t.debugDescription, dumped,
            "\([t])", "\(Optional(t) as Any)",
        ]
        for r in renderings {
            #expect(!r.contains("SECRET"), "leaked in: \(r)")
            #expect(!r.contains("r8_"))
        }
        #expect(t.description.contains("redacted"))
        #expect(t.description.contains("Bearer"))
    }
}
