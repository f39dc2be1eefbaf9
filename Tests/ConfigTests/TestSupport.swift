import Foundation
import Testing

@testable import Config

/// Shared helpers for the Config tests.
enum Fixture {
    /// The repository root, found from this file's path (tests never read /work/shared).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: repoRoot.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// The messages `ConfigLoader.parse` reports for `text` (named `test.yaml`), or [] if none.
    static func errors(_ text: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try ConfigLoader.parse(text: text, fileName: "test.yaml", environment: environment)
            return []
        } catch {
            return error.messages
        }
    }

    /// Parses `text`, recording a test failure with every message if it does not load.
    static func load(
        _ text: String, environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) -> RepriseConfig? {
        do {
            return try ConfigLoader.parse(text: text, fileName: "test.yaml", environment: environment)
        } catch {
            Issue.record("config did not load:\n\(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}
