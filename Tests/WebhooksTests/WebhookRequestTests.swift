import JSONCore
import Testing

@testable import Webhooks

@Suite struct WebhookRequestTests {
    static func body(_ json: String) throws -> JSONObject {
        try #require(try JSONParser().parse(json).objectValue)
    }

    @Test func noWebhookAsksForNothing() throws {
        #expect(WebhookRequest.parse(createBody: try Self.body(#"{"input":{}}"#)) == nil)
        #expect(WebhookRequest.parse(createBody: try Self.body(#"{"input":{},"webhook":null}"#)) == nil)
        #expect(WebhookRequest.parse(createBody: try Self.body(#"{"input":{},"webhook":""}"#)) == nil)
        #expect(WebhookRequest.parse(createBody: try Self.body(#"{"input":{},"webhook":42}"#)) == nil)
        // A filter alone is not a webhook.
        #expect(WebhookRequest.parse(createBody: try Self.body(#"{"input":{},"webhook_events_filter":["start"]}"#)) == nil)
    }

    @Test func withoutAFilterReplicateSendsOutputsAndCompletion() throws {
        let r = try #require(WebhookRequest.parse(createBody: try Self.body(#"{"input":{},"webhook":"https://h/x"}"#)))
        #expect(r.targets == [WebhookRequest.Target(url: "https://h/x", events: [.output, .completed])])
    }

    @Test func theFilterSelectsEventsAndIgnoresUnknownWords() throws {
        let json = #"{"webhook":"https://h/x","webhook_events_filter":["completed","start","bogus",7]}"#
        let r = try #require(WebhookRequest.parse(createBody: try Self.body(json)))
        #expect(r.targets[0].events == [.start, .completed])
        #expect(r.targets[0].events.ordered == [.start, .completed])
    }

    @Test func aFilterNamingNoKnownEventIsReadAsNoFilter() {
        for filter in ["[]", #"["nope"]"#, #""completed""#, "null", "{}"] {
            let value = try? JSONParser().parse(filter)
            #expect(WebhookRequest.events(filter: value) == .replicateDefault, "\(filter)")
        }
        #expect(WebhookRequest.events(filter: nil) == .replicateDefault)
    }

    @Test func theLegacyWebhookCompletedFieldGetsTheCompletedEvent() throws {
        let json = #"{"webhook":"https://a/","webhook_events_filter":["start"],"webhook_completed":"https://b/"}"#
        let r = try #require(WebhookRequest.parse(createBody: try Self.body(json)))
        #expect(r.targets == [.init(url: "https://a/", events: .start), .init(url: "https://b/", events: .completed)])
    }

    @Test func aFinishedPredictionPlaysOutItsWholeLifeInOrder() throws {
        let p = try JSONParser().parse(#"{"status":"succeeded","output":["a","b"],"logs":"line\n"}"#)
        let all: WebhookEvents = [.start, .output, .logs, .completed]
        #expect(WebhookEventPlan.events(for: all, prediction: p) == [.start, .output, .logs, .completed])
        #expect(WebhookEventPlan.events(for: .replicateDefault, prediction: p) == [.output, .completed])
        #expect(WebhookEventPlan.events(for: .completed, prediction: p) == [.completed])
        #expect(WebhookEventPlan.events(for: [.logs, .start], prediction: p) == [.start, .logs])
    }

    @Test func outputAndLogsEventsNeedSomethingToReport() throws {
        let all: WebhookEvents = [.start, .output, .logs, .completed]
        for json in [#"{"output":null,"logs":""}"#, #"{"output":[],"logs":null}"#, #"{}"#] {
            let p = try JSONParser().parse(json)
            #expect(WebhookEventPlan.events(for: all, prediction: p) == [.start, .completed], "\(json)")
        }
        let p = try JSONParser().parse(#"{"output":"hello","logs":""}"#)
        #expect(WebhookEventPlan.events(for: all, prediction: p) == [.start, .output, .completed])
    }
}
