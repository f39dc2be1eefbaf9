import CacheCore
import JSONCore
import Testing

@Suite struct CacheControlTests {
    @Test(arguments: [
        (["no-cache"], CacheControl(noCache: true)),
        (["No-Store"], CacheControl(noStore: true)),
        (["max-age=30"], CacheControl(maxAge: 30)),
        (["max-age=\"30\""], CacheControl(maxAge: 30)),
        (["max-age=0"], CacheControl(maxAge: 0)),
        (["max-age=60, no-cache"], CacheControl(noCache: true, maxAge: 60)),
        (["max-age=60", "max-age=10"], CacheControl(maxAge: 10)),
        (["max-age=abc"], CacheControl()),
        (["max-age=-1"], CacheControl()),
        (["max-age"], CacheControl()),
        (["private, must-revalidate"], CacheControl()),
        ([" no-store ,\tmax-age=5 "], CacheControl(noStore: true, maxAge: 5)),
        (["max-age=99999999999999999999999"], CacheControl(maxAge: Int.max)),
    ])
    func parses(values: [String], expected: CacheControl) {
        #expect(CacheControl(fieldValues: values) == expected)
    }
}

@Suite struct CachePolicyTests {
    let policy = CachePolicy(
        defaultTTLSeconds: 3600,
        rules: [
            "meta/llama": .init(ttlSeconds: 86400),
            "acme/side-effects": .init(enabled: false),
            "acme/side-effects:abc": .init(enabled: true),
            "stability-ai/sdxl:v1": .init(ttlSeconds: 60),
        ])

    @Test func defaultForUnknownModel() {
        let r = policy.resolve(model: "someone/else", version: "v")
        #expect(r == .init(enabled: true, ttlSeconds: 3600, configuredModel: nil))
    }

    @Test func unknownModelIdentity() {
        #expect(policy.resolve(model: nil, version: "abc").configuredModel == nil)
    }

    @Test func modelRule() {
        #expect(policy.resolve(model: "meta/llama", version: nil) == .init(enabled: true, ttlSeconds: 86400, configuredModel: "meta/llama"))
    }

    @Test func versionRuleBeatsModelRule() {
        #expect(policy.resolve(model: "acme/side-effects", version: "abc").enabled)
        #expect(!policy.resolve(model: "acme/side-effects", version: "other").enabled)
    }

    @Test func versionOnlyRuleStillLabelsByModel() {
        let r = policy.resolve(model: "stability-ai/sdxl", version: "v1")
        #expect(r == .init(enabled: true, ttlSeconds: 60, configuredModel: "stability-ai/sdxl"))
        #expect(policy.resolve(model: "stability-ai/sdxl", version: "v2").configuredModel == nil)
    }
}

@Suite struct CacheDecisionTests {
    let on = CachePolicy.Resolved(enabled: true, ttlSeconds: 10, configuredModel: nil)
    let off = CachePolicy.Resolved(enabled: false, ttlSeconds: 10, configuredModel: nil)

    @Test func plainLooksUpAndStores() {
        #expect(CacheDecision.decide(policy: on, cacheControl: CacheControl()) == .init(lookup: .lookup(maxAge: nil), store: true, bypassReason: nil))
    }

    @Test func disabledModelBypasses() {
        let d = CacheDecision.decide(policy: off, cacheControl: CacheControl())
        #expect(d.lookup == .skip && !d.store && d.bypassReason != nil)
    }

    @Test func noStoreBypasses() {
        let d = CacheDecision.decide(policy: on, cacheControl: CacheControl(noStore: true))
        #expect(d.lookup == .skip && !d.store && d.bypassReason != nil)
    }

    @Test func noCacheAndMaxAgeZeroRefresh() {
        for cc in [CacheControl(noCache: true), CacheControl(maxAge: 0)] {
            #expect(CacheDecision.decide(policy: on, cacheControl: cc) == .init(lookup: .skip, store: true, bypassReason: nil))
        }
    }

    @Test func maxAgeBoundsTheLookup() {
        #expect(CacheDecision.decide(policy: on, cacheControl: CacheControl(maxAge: 30)).lookup == .lookup(maxAge: 30))
    }
}

@Suite struct CostModelTests {
    let prediction: JSONValue = [
        "output": ["a.png", "b.png", "c.png"],
        "metrics": ["predict_time": 2.5, "input_token_count": 8, "output_token_count": 43],
    ]

    @Test func perSecond() {
        let c = CostModel.cost(of: prediction, price: .perSecond(usd: 0.000725))
        #expect(abs(c.usd - 2.5 * 0.000725) < 1e-15)
        #expect(c.computeSeconds == 2.5)
    }

    @Test func tokensMatchReplicatesWorkedExample() {
        // replicate.com/docs/billing: 8 input tokens $0.0000760, 43 output tokens $0.0004085 at $9.50/M.
        let c = CostModel.cost(of: prediction, price: .tokens(inputPerMillion: 9.5, outputPerMillion: 9.5))
        #expect(abs(c.usd - (0.0000760 + 0.0004085)) < 1e-12)
    }

    @Test func perOutputCountsListItems() {
        #expect(abs(CostModel.cost(of: prediction, price: .perOutput(usd: 0.003)).usd - 0.009) < 1e-12)
        #expect(CostModel.cost(of: ["output": "one"], price: .perOutput(usd: 0.003)).usd == 0.003)
        #expect(CostModel.cost(of: ["output": .null], price: .perOutput(usd: 0.003)).usd == 0)
    }

    @Test func unpricedStillReportsComputeSeconds() {
        #expect(CostModel.cost(of: prediction, price: nil) == .init(usd: 0, computeSeconds: 2.5))
        #expect(CostModel.cost(of: ["metrics": ["predict_time": -1]], price: nil).computeSeconds == nil)
    }
}
