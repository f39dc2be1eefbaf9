import HTTPTypes
import ReplicateAPI
import Testing

@Suite struct ReplicateErrorsTests {
    @Test func unauthenticatedIsWordForWordReplicates() {
        let body = String(decoding: ReplicateErrors.unauthenticated.jsonBytes(), as: UTF8.self)
        let replicates =
            #"{"title":"Unauthenticated","detail":"You did not pass a valid authentication token","#
            + #""status":401}"#
        #expect(body == replicates)
    }

    @Test func predictionNotFound() {
        let body = String(decoding: ReplicateErrors.predictionNotFound(id: "abc").jsonBytes(), as: UTF8.self)
        #expect(body == #"{"title":"Not Found","detail":"Prediction not found: abc","status":404}"#)
    }

    @Test func statuses() {
        #expect(ReplicateErrors.badGateway("connection refused").status == 502)
        #expect(ReplicateErrors.badGateway("connection refused").detail.contains("connection refused"))
        #expect(ReplicateErrors.gatewayTimeout.status == 504)
        #expect(ReplicateErrors.streamLookupUnavailable.status == 503)
        #expect(ReplicateErrors.streamNotFound.status == 404)
        #expect(ReplicateErrors.methodNotAllowed.status == 405)
    }
}
