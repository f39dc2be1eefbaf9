/// Everything a prediction will do, decided at creation from the model and the input: its
/// timeline, final outcome, output and metrics. The prediction's state at any instant is then a
/// pure function of the plan and the elapsed time (see `Prediction.view(at:)`), so no timer
/// is needed to move predictions along. Value type, `Sendable`.
struct PredictionPlan: Sendable {
    /// The output a run produces when it succeeds.
    enum Output: Sendable, Equatable {
        case null
        case string(String)
        /// A list; for iterator models its items appear one by one while processing.
        case list([String])
    }

    /// Nanoseconds from creation to `processing`.
    var startOffset: UInt64
    /// Nanoseconds of `processing`.
    var runDuration: UInt64
    /// nil: succeeds; otherwise fails with this error message.
    var failure: String?
    var output: Output
    /// Items appear every `itemInterval` nanoseconds while processing (LLM tokens); otherwise
    /// the whole output appears when the run ends.
    var isIterator: Bool
    var itemInterval: UInt64
    /// `logs` while processing, and once terminal.
    var runningLogs: String
    var finalLogs: String
    /// Reported `metrics.predict_time` in microseconds (a deterministic function of the input,
    /// so cost tests can compute it; unrelated to the fake's actual run time).
    var predictMicros: Int
    /// Further metrics, name and already-encoded JSON number.
    var extraMetrics: [(String, String)]

    /// Number of items in a list output (0 otherwise).
    var itemCount: Int {
        if case .list(let items) = output { return items.count }
        return 0
    }

    /// The output as the items an SSE stream sends: list items, or a string as one item.
    func streamItem(_ i: Int) -> String {
        switch output {
        case .list(let items): return items[i]
        case .string(let s): return s
        case .null: return ""
        }
    }

    /// Count of stream items of the finished output.
    var streamItemCount: Int {
        switch output {
        case .list(let items): return items.count
        case .string: return 1
        case .null: return 0
        }
    }
}

/// A duration given in microseconds as JSON decimal text (`150000` → `0.15`), so reported
/// times carry no binary floating-point noise.
enum DecimalSeconds {
    static func text(micros: Int) -> String {
        let whole = micros / 1_000_000
        var frac = micros % 1_000_000
        guard frac != 0 else { return String(whole) }
        var digits = 6
        while frac % 10 == 0 {
            frac /= 10
            digits -= 1
        }
        var f = String(frac)
        while f.utf8.count < digits { f = "0" + f }
        return String(whole) + "." + f
    }
}
