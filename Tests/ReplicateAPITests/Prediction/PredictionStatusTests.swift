import ReplicateAPI
import Testing

@Suite struct PredictionStatusTests {
    @Test func terminalStates() {
        let terminal = PredictionStatus.allCases.filter(\.isTerminal)
        #expect(terminal == [.succeeded, .failed, .canceled, .aborted])
    }

    @Test func abortedIsNeverShownToClients() {
        #expect(PredictionStatus.aborted.clientFacing == .canceled)
        for s in PredictionStatus.allCases where s != .aborted {
            #expect(s.clientFacing == s)
        }
        #expect(!PredictionStatus.allCases.map(\.clientFacing).contains(.aborted))
    }

    @Test func parsesWireValues() {
        #expect(PredictionStatus(rawValue: "processing") == .processing)
        #expect(PredictionStatus(rawValue: "aborted") == .aborted)
        #expect(PredictionStatus(rawValue: "Succeeded") == nil)
        #expect(PredictionStatus(rawValue: "cancelled") == nil)
        #expect(PredictionStatus.canceled.rawValue == "canceled")
    }
}
