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
