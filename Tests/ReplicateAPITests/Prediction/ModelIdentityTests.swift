import ReplicateAPI
import Testing

@Suite struct ModelIdentityTests {
    static let hex = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"

    @Test func bareVersionID() {
        let m = ModelIdentity(versionField: Self.hex)
        #expect(m == .version(id: Self.hex))
        #expect(m?.versionID == Self.hex)
        #expect(m?.modelName == nil)
        #expect(m?.description == Self.hex)
    }

    @Test func ownerNameVersion() {
        let m = ModelIdentity(versionField: "replicate/hello-world:" + Self.hex)
        #expect(m == .modelVersion(owner: "replicate", name: "hello-world", version: Self.hex))
        #expect(m?.modelName == "replicate/hello-world")
        #expect(m?.versionID == Self.hex)
        #expect(m?.description == "replicate/hello-world:" + Self.hex)
    }

    @Test func ownerName() {
        let m = ModelIdentity(versionField: "black-forest-labs/flux-1.1-pro")
        #expect(m == .model(owner: "black-forest-labs", name: "flux-1.1-pro"))
        #expect(m?.modelName == "black-forest-labs/flux-1.1-pro")
        #expect(m?.versionID == nil)
    }

    @Test func qualifiedVersionMayBeDeploymentStyle() {
        #expect(
            ModelIdentity(versionField: "meta/llama:dp-a557b7387b4940df25b23f779dc534c4")
                == .modelVersion(owner: "meta", name: "llama", version: "dp-a557b7387b4940df25b23f779dc534c4"))
    }

    @Test(arguments: [
        "", "hidden", "5c7d", String(repeating: "A", count: 64), String(repeating: "g", count: 64),
        Self.hex + "0", "/name", "owner/", "owner/name:", "owner/name/extra", "owner//name", "../name",
        "owner/..", "owner/name:..", "own er/name", "owner/na%2Fme", ":" + Self.hex, "owner/name:v:w",
        "owner/name:v/w", "ö/name",
    ])
    func rejects(_ s: String) {
        #expect(ModelIdentity(versionField: s) == nil)
    }

    @Test(arguments: ["a/b", "a/b:" + Self.hex, Self.hex, "a_b/c.d:dp-1"])
    func descriptionRoundTrips(_ s: String) throws {
        let m = try #require(ModelIdentity(versionField: s))
        #expect(m.description == s)
        #expect(ModelIdentity(versionField: m.description) == m)
    }
}
