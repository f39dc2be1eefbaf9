import Testing

@testable import Config

@Suite struct PricingTests {
    @Test func resolvesHardwarePricesIntoModelRules() throws {
        let config = try #require(
            Fixture.load(
                """
                pricing:
                  hardware:
                    gpu-a40-large: 0.000725
                    gpu-h100: 1.525e-3
                    free-tier: 0
                  models:
                    stability-ai/sdxl: { hardware: gpu-a40-large }
                    acme/big:abc: { hardware: gpu-h100 }
                    acme/free: { hardware: free-tier }
                """))
        #expect(config.pricing.hardware == ["gpu-a40-large": 0.000725, "gpu-h100": 0.001525, "free-tier": 0])
        #expect(
            config.pricing.models.map(\.price) == [
                .hardware(sku: "gpu-a40-large", usdPerSecond: 0.000725),
                .hardware(sku: "gpu-h100", usdPerSecond: 0.001525),
                .hardware(sku: "free-tier", usdPerSecond: 0),
            ])
        #expect(config.pricing.models[1].model == ModelRef(owner: "acme", name: "big", version: "abc"))
    }

    @Test func aMissingHardwareSKUIsReportedAtItsLine() {
        #expect(
            Fixture.errors(
                """
                pricing:
                  hardware:
                    gpu-a40-large: 0.000725
                  models:
                    stability-ai/sdxl: { hardware: gpu-a40-larg }
                    acme/x:
                      hardware: gpu-t4
                """) == [
                    "test.yaml:5: pricing.models.stability-ai/sdxl.hardware: 'gpu-a40-larg' is not in pricing.hardware; "
                        + "did you mean 'gpu-a40-large'?",
                    "test.yaml:7: pricing.models.acme/x.hardware: 'gpu-t4' is not in pricing.hardware",
                ])
    }

    @Test func aListedSKUWithABadPriceIsReportedOnce() {
        #expect(
            Fixture.errors("pricing:\n  hardware:\n    gpu-t4: cheap\n  models:\n    a/b: { hardware: gpu-t4 }\n") == [
                "test.yaml:3: pricing.hardware.gpu-t4: 'cheap' is not a number"
            ])
    }

    @Test func hardwarePricesMustBeNonNegativeNumbers() {
        #expect(
            Fixture.errors(
                """
                pricing:
                  hardware:
                    gpu-t4: -1
                    cpu: free
                    'bad sku': 1
                    gpu-x:
                    gpu-y: .5
                    gpu-z: inf
                """) == [
                    "test.yaml:3: pricing.hardware.gpu-t4: '-1' must not be negative",
                    "test.yaml:4: pricing.hardware.cpu: 'free' is not a number",
                    "test.yaml:5: pricing.hardware: 'bad sku' may only hold letters, digits, '-', '_' and '.'",
                    "test.yaml:6: pricing.hardware.gpu-x: no value given",
                    "test.yaml:7: pricing.hardware.gpu-y: '.5' is not a number",
                    "test.yaml:8: pricing.hardware.gpu-z: 'inf' is not a number",
                ])
    }

    @Test func exactlyOnePriceFormPerModel() {
        let choices = "hardware, per_output, or input_per_million_tokens with output_per_million_tokens"
        #expect(
            Fixture.errors(
                """
                pricing:
                  hardware:
                    gpu-a40-large: 0.000725
                  models:
                    e/f: {}
                    g/h: { per_output: 1, hardware: gpu-a40-large }
                    i/j: { input_per_million_tokens: 1 }
                    k/l: { output_per_million_tokens: 1, per_output: 2 }
                    m/n:
                    o/p: { per_output: 1, fee: 2 }
                    q/r: { per_output: -3 }
                """) == [
                    "test.yaml:5: pricing.models.e/f: give a price: \(choices)",
                    "test.yaml:6: pricing.models.g/h: give only one price form: \(choices)",
                    "test.yaml:7: pricing.models.i/j: give both input_per_million_tokens and output_per_million_tokens",
                    "test.yaml:8: pricing.models.k/l: give only one price form: \(choices)",
                    "test.yaml:9: pricing.models.m/n: give a price: \(choices)",
                    "test.yaml:10: unknown key 'pricing.models.o/p.fee'",
                    "test.yaml:11: pricing.models.q/r.per_output: '-3' must not be negative",
                ])
    }

    @Test func pricedModelsMustBeModelReferences() {
        #expect(
            Fixture.errors("pricing:\n  models:\n    flux: { per_output: 0.003 }\n") == [
                "test.yaml:3: pricing.models: 'flux' is not a model reference; write owner/name or owner/name:version"
            ])
    }
}
