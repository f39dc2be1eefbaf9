import JSONCore

/// The fake's fixed world: models, deployments, collections and hardware, with their JSON
/// bodies encoded once at start-up (the static routes answer with these bytes as they are).
///
/// Immutable after init, `Sendable`.
struct ModelCatalogue: Sendable {
    /// A deployment name that runs a catalogue model.
    struct Deployment: Sendable {
        let owner: String
        let name: String
        let modelIndex: Int
        let hardware: String
    }

    /// A named group of models (`GET /v1/collections/{slug}`).
    struct Collection: Sendable {
        let slug: String
        let name: String
        let description: String
        let modelIndices: [Int]
    }

    let models: [FakeModel]
    let deployments: [Deployment]
    let collections: [Collection]
    /// `GET /v1/models/{o}/{n}` body per model.
    let modelJSON: [[UInt8]]
    /// `GET /v1/models/{o}/{n}/versions/{id}` body per model.
    let versionJSON: [[UInt8]]
    /// `GET /v1/models/{o}/{n}/versions` body per model.
    let versionListJSON: [[UInt8]]
    let hardwareJSON: [UInt8]
    let collectionListJSON: [UInt8]
    let collectionJSON: [[UInt8]]

    init() {
        models = ModelCatalogue.builtInModels
        deployments = [
            Deployment(owner: "acme", name: "hello-deployment", modelIndex: 0, hardware: "cpu"),
            Deployment(owner: "acme", name: "llama-deployment", modelIndex: 1, hardware: "gpu-a40-large"),
        ]
        collections = [
            Collection(
                slug: "language-models", name: "Language models",
                description: "Models that understand and generate text.", modelIndices: [1]),
            Collection(
                slug: "text-to-image", name: "Text to image",
                description: "Models that generate images from text prompts.", modelIndices: [2]),
        ]
        let versions = models.map(ModelCatalogue.encodeVersion)
        versionJSON = versions
        modelJSON = zip(models, versions).map { ModelCatalogue.encodeModel($0, version: $1) }
        versionListJSON = versions.map { v in
            var w = JSONWriter(capacity: v.count + 48)
            w.raw("{\"next\":null,\"previous\":null,\"results\":[")
            w.raw(bytes: v)
            w.raw("]}")
            return w.bytes
        }
        var h = JSONWriter(capacity: 512)
        h.raw("[")
        for (i, (name, sku)) in ModelCatalogue.hardware.enumerated() {
            if i > 0 { h.raw(",") }
            var o = JSONObjectWriter(capacity: 64)
            o.field("name", name)
            o.field("sku", sku)
            h.raw(bytes: o.finish())
        }
        h.raw("]")
        hardwareJSON = h.bytes
        var cl = JSONWriter(capacity: 512)
        cl.raw("{\"next\":null,\"previous\":null,\"results\":[")
        for (i, c) in collections.enumerated() {
            if i > 0 { cl.raw(",") }
            var o = JSONObjectWriter(capacity: 128)
            o.field("name", c.name)
            o.field("slug", c.slug)
            o.field("description", c.description)
            cl.raw(bytes: o.finish())
        }
        cl.raw("]}")
        collectionListJSON = cl.bytes
        let models = modelJSON
        collectionJSON = collections.map { c in
            var o = JSONObjectWriter(capacity: 4096)
            o.field("name", c.name)
            o.field("slug", c.slug)
            o.field("description", c.description)
            var list = JSONWriter(capacity: 4096)
            list.raw("[")
            for (k, m) in c.modelIndices.enumerated() {
                if k > 0 { list.raw(",") }
                list.raw(bytes: models[m])
            }
            list.raw("]")
            o.rawField("models", json: list.bytes)
            return o.finish()
        }
    }

    // MARK: - Lookups (allocation-free: they compare substrings of the request target)

    func modelIndex(owner: Substring, name: Substring) -> Int? {
        models.firstIndex { $0.matches(owner: owner, name: name) }
    }

    func modelIndex(versionID: Substring) -> Int? {
        models.firstIndex { versionID == $0.versionID }
    }

    func deploymentIndex(owner: Substring, name: Substring) -> Int? {
        deployments.firstIndex { owner == $0.owner && name == $0.name }
    }

    func collectionIndex(slug: Substring) -> Int? {
        collections.firstIndex { slug == $0.slug }
    }

    // MARK: - Encoding

    private static func encodeVersion(_ m: FakeModel) -> [UInt8] {
        var schema = JSONWriter(capacity: 1024)
        schema.raw("{\"openapi\":\"3.0.2\",\"info\":{\"title\":\"Cog\",\"version\":\"0.1.0\"},\"paths\":{},")
        schema.raw("\"components\":{\"schemas\":{\"Input\":")
        schema.raw(m.inputSchema)
        schema.raw(",\"Output\":")
        schema.raw(m.outputSchema)
        schema.raw("}}}")
        var o = JSONObjectWriter(capacity: schema.bytes.count + 160)
        o.field("id", m.versionID)
        o.field("created_at", m.versionCreatedAt)
        o.field("cog_version", "0.9.4")
        o.rawField("openapi_schema", json: schema.bytes)
        return o.finish()
    }

    private static func encodeModel(_ m: FakeModel, version: [UInt8]) -> [UInt8] {
        var o = JSONObjectWriter(capacity: version.count + 512)
        o.field("url", "https://replicate.com/" + m.fullName)
        o.field("owner", m.owner)
        o.field("name", m.name)
        o.field("description", m.description)
        o.field("visibility", "public")
        o.field("github_url", "https://github.com/" + m.fullName)
        o.nullField("paper_url")
        o.nullField("license_url")
        o.field("run_count", m.runCount)
        o.nullField("cover_image_url")
        o.nullField("default_example")
        o.field("is_official", m.isOfficial)
        o.rawField("latest_version", json: version)
        return o.finish()
    }

    /// `GET /v1/hardware` (SPEC example, plus SKUs from the pricing page).
    static let hardware: [(String, String)] = [
        ("CPU", "cpu"), ("Nvidia T4 GPU", "gpu-t4"), ("Nvidia A40 GPU", "gpu-a40-small"),
        ("Nvidia A40 (Large) GPU", "gpu-a40-large"), ("Nvidia L40S GPU", "gpu-l40s"),
        ("Nvidia A100 (80GB) GPU", "gpu-a100-large"), ("Nvidia H100 GPU", "gpu-h100"),
    ]
}
