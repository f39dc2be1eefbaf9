import FakeReplicate
import Foundation
import HTTPTypes
import Testing

/// The SSE stream: exact bytes, pacing, back-pressure, disconnects, cancel and failure endings.
@Suite struct StreamTests {
    static let llm = "meta/meta-llama-3-8b-instruct"
    /// Output of the LLM for the prompt "Hello world\nbye", as SSE.
    static let expected =
        "event: output\nid: 0\ndata: Echo:\n\n" + "event: output\nid: 1\ndata:  Hello\n\n"
        + "event: output\nid: 2\ndata:  world\n\n" + "event: output\nid: 3\ndata: \ndata: bye\n\n"
        + "event: done\nid: 4\ndata: {}\n\n"

    static func instant(_ c: inout FakeReplicateConfiguration) {
        c.startDelay = .zero
        c.streamInterval = .zero
    }

    /// Creates an LLM prediction and returns its stream path.
    static func streamPath(_ h: FakeHarness, prompt: String = #"Hello world\nbye"#) async throws -> String {
        let create = await h.send(.post, "/v1/models/\(llm)/predictions", json: #"{"input":{"prompt":"\#(prompt)"}}"#)
        let url = try #require((create.json["urls"] as? [String: String])?["stream"])
        return String(url.dropFirst(FakeHarness.base.count))
    }

    @Test func streamSendsEveryTokenWithIdsThenDone() async throws {
        let h = try FakeHarness(Self.instant)
        defer { h.shutdown() }
        let path = try await Self.streamPath(h)
        let ex = await h.send(.get, path, headers: [("Accept", "text/event-stream")], token: nil)
        #expect(ex.status == 200)
        #expect(ex.header(.contentType) == "text/event-stream")
        #expect(ex.header(.contentLength) == nil)
        #expect(ex.isFinished)
        #expect(ex.responseText == Self.expected)
        #expect(h.fake.counters.value(.streamOpen) == 1)
    }

    @Test func pacedStreamSendsOneEventPerTokenAndTheSameBytes() async throws {
        let h = try FakeHarness {
            $0.startDelay = .zero
            $0.streamInterval = .milliseconds(2)
        }
        defer { h.shutdown() }
        let path = try await Self.streamPath(h)
        let ex = await h.send(.get, path)
        #expect(ex.responseText == Self.expected)
        #expect(ex.sendBodyCount == 5)
    }

    @Test func lastEventIDResumesAfterThatEvent() async throws {
        let h = try FakeHarness(Self.instant)
        defer { h.shutdown() }
        let path = try await Self.streamPath(h)
        let ex = await h.send(.get, path, headers: [("Last-Event-ID", "1")])
        #expect(ex.responseText == Self.expected.components(separatedBy: "\n\n").dropFirst(2).joined(separator: "\n\n"))
    }

    @Test func stopsProducingWhileTheClientIsNotWritable() async throws {
        let h = try FakeHarness(Self.instant)
        defer { h.shutdown() }
        let path = try await Self.streamPath(h)
        let ex = await h.start(.get, path, writable: false)
        #expect(await ex.wait { $0.sendBodyCount >= 1 })
        let paused = await ex.onLoop { ex in ex.sendBodyCount == 1 && !ex.isFinished && h.loop.timerCount == 0 }
        #expect(paused)
        await ex.onLoop { $0.becomeWritable() }
        #expect(await ex.waitUntilDone())
        #expect(ex.responseText == Self.expected)
    }

    @Test func clientDisconnectStopsTheTimer() async throws {
        let h = try FakeHarness {
            $0.startDelay = .zero
            $0.streamInterval = .seconds(30)
        }
        defer { h.shutdown() }
        let path = try await Self.streamPath(h)
        let ex = await h.start(.get, path)
        #expect(await ex.onLoop { ex in ex.responseHead != nil && h.loop.timerCount == 1 })
        let timers = await ex.onLoop { ex in
            ex.disconnect()
            return h.loop.timerCount
        }
        #expect(timers == 0)
        #expect(ex.responseBody.isEmpty)
    }

    @Test func canceledPredictionEndsWithCanceledReason() async throws {
        let h = try FakeHarness {
            // Real time adds to the fake clock: minutes of margin before the second token.
            $0.startDelay = .zero
            $0.streamInterval = .seconds(1000)
        }
        defer { h.shutdown() }
        let path = try await Self.streamPath(h)
        let id = String(path.split(separator: "/").last!)
        let ex = await h.start(.get, path)
        h.fake.advanceClock(by: .seconds(1500))
        _ = await h.send(.post, "/v1/predictions/\(id)/cancel")
        #expect(await ex.waitUntilDone())
        #expect(
            ex.responseText
                == "event: output\nid: 0\ndata: Echo:\n\nevent: done\nid: 1\ndata: {\"reason\":\"canceled\"}\n\n")
    }

    @Test func failedPredictionSendsErrorThenDone() async throws {
        let h = try FakeHarness(Self.instant)
        defer { h.shutdown() }
        let id = await h.create("acme/fails", input: #"{"message":"boom"}"#)
        h.fake.advanceClock(by: .seconds(1))
        let ex = await h.send(.get, "/v1/streams/\(id)")
        #expect(
            ex.responseText
                == "event: error\nid: 0\ndata: {\"detail\":\"boom\"}\n\nevent: done\nid: 1\ndata: {\"reason\":\"error\"}\n\n"
        )
    }

    @Test func unknownStreamIs404() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.send(.get, "/v1/streams/nope", token: nil)
        #expect(ex.status == 404)
        #expect(ex.json["status"] as? Int == 404)
    }
}
