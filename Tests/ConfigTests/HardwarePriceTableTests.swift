import Testing

@testable import Config

/// The shipped hardware price tables against Replicate's published prices.
///
/// Reference: replicate.com/pricing, "Hardware" table (stored copy, mid-2025 or later: it lists
/// the H100 SKUs, announced 2025-05-16), USD per second and per hour as printed there. Another
/// snapshot (internal.replicate.com/pricing) shows the L40S SKUs at $0.000972/s; the public page
/// is used. Update this table and config/reprise.example.yaml together when prices change.
@Suite struct HardwarePriceTableTests {
    static let published: [(sku: String, perSecond: Double, perHour: Double)] = [
        ("cpu", 0.000100, 0.36),
        ("gpu-t4", 0.000225, 0.81),
        ("gpu-a40-small", 0.000575, 2.07),
        ("gpu-a40-large", 0.000725, 2.61),
        ("gpu-a40-large-2x", 0.001450, 5.22),
        ("gpu-a40-large-4x", 0.002900, 10.44),
        ("gpu-a40-large-8x", 0.005800, 20.88),
        ("gpu-l40s", 0.000975, 3.51),
        ("gpu-2x-l40s", 0.001950, 7.02),
        ("gpu-4x-l40s", 0.003900, 14.04),
        ("gpu-8x-l40s", 0.007800, 28.08),
        ("gpu-a100-large", 0.001400, 5.04),
        ("gpu-a100-large-2x", 0.002800, 10.08),
        ("gpu-a100-large-4x", 0.005600, 20.16),
        ("gpu-a100-large-8x", 0.011200, 40.32),
        ("gpu-h100", 0.001525, 5.49),
        ("gpu-h100-2x", 0.003050, 10.98),
        ("gpu-h100-4x", 0.006100, 21.96),
        ("gpu-h100-8x", 0.012200, 43.92),
    ]

    @Test func theReferenceIsConsistentWithItself() {
        // Per second × 3600 is the hourly price to the cent: catches a typo in either column.
        for row in Self.published {
            #expect(abs(row.perSecond * 3600 - row.perHour) < 0.005, "\(row.sku)")
        }
        #expect(Set(Self.published.map(\.sku)).count == Self.published.count)
    }

    @Test func theExampleConfigShipsExactlyThePublishedTable() throws {
        let example = try #require(Fixture.load(try Fixture.text("config/reprise.example.yaml")))
        #expect(example.pricing.hardware.count == Self.published.count)
        for row in Self.published {
            #expect(example.pricing.hardware[row.sku] == row.perSecond, "\(row.sku)")
        }
    }

    @Test func theDockerAndRunConfigsUseThePublishedPrices() throws {
        for path in ["docker/reprise.yaml", "config/reprise.yaml"] {
            let config = try #require(Fixture.load(try Fixture.text(path)))
            #expect(!config.pricing.hardware.isEmpty, "\(path) prices no hardware")
            for (sku, price) in config.pricing.hardware {
                let row = Self.published.first { $0.sku == sku }
                #expect(row?.perSecond == price, "\(path): \(sku) at \(price) is not the published price")
            }
        }
    }
}
