import Testing

@testable import Config

@Suite struct ModelRefTests {
    static let sdxlVersion = "39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b"

    @Test func parsesOwnerAndName() throws {
        let ref = try ModelRef(parsing: "black-forest-labs/flux-1.1-pro")
        #expect(ref == ModelRef(owner: "black-forest-labs", name: "flux-1.1-pro"))
        #expect(ref.modelName == "black-forest-labs/flux-1.1-pro")
        #expect(ref.description == "black-forest-labs/flux-1.1-pro")
    }

    @Test func parsesAVersion() throws {
        let ref = try ModelRef(parsing: "stability-ai/sdxl:\(Self.sdxlVersion)")
        #expect(ref == ModelRef(owner: "stability-ai", name: "sdxl", version: Self.sdxlVersion))
        #expect(ref.modelName == "stability-ai/sdxl")
        #expect(ref.description == "stability-ai/sdxl:\(Self.sdxlVersion)")
        // Any lowercase id is accepted, not only 64 hex digits.
        #expect(try ModelRef(parsing: "acme/m:v-2").version == "v-2")
    }

    @Test(arguments: [
        ("sdxl", "'sdxl' is not a model reference; write owner/name or owner/name:version"),
        ("a/b/c", "'a/b/c' is not a model reference; write owner/name or owner/name:version"),
        ("", "'' is not a model reference; write owner/name or owner/name:version"),
        ("/sdxl", "'/sdxl' has an empty owner or name; write owner/name or owner/name:version"),
        ("stability-ai/", "'stability-ai/' has an empty owner or name; write owner/name or owner/name:version"),
        ("a/b:", "'a/b:' has an empty version after ':'; write owner/name or owner/name:version"),
        (":v1", "':v1' is not a model reference; write owner/name or owner/name:version"),
        ("a b/c", "'a b/c': 'a b' may only hold letters, digits, '-', '_' and '.'"),
        ("a/b:ABC", "'a/b:ABC': the version may only hold lowercase letters, digits and '-'"),
        ("a/b:v:2", "'a/b:v:2': the version may only hold lowercase letters, digits and '-'"),
    ])
    func rejects(text: String, message: String) {
        #expect(throws: ConfigValueError(message)) { try ModelRef(parsing: text) }
    }
}
