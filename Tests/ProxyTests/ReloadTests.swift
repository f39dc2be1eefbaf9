import Config
import TestSupport
import Testing

/// A reload keeps the running value of keys read only at start (as its log line says), so a
/// later SIGTERM drains for the timeout Reprise started with.
@Suite struct ReloadTests {
    @Test func reloadKeepsTheDrainTimeoutItStartedWith() async throws {
        try await withHarness { h in
            let app = h.reprise.app
            var changed = app.runningConfig
            changed.server.drainTimeout = .seconds(300)
            changed.cache.defaultTTL = .seconds(42)
            app.reload(changed)
            #expect(app.runningConfig.server.drainTimeout == .seconds(2))  // the harness's
            #expect(app.runningConfig.cache.defaultTTL == .seconds(42))  // applied
        }
    }
}
