import JSONCore

/// Writes the prediction object (SPEC `schemas_prediction_response`) as the Python client 1.0.7
/// parses it: `id`, `model`, `version`, `status` always; every `urls` value a string (`stream`
/// only for streaming models); `started_at` / `completed_at` / `metrics` once they exist.
/// Stateless; thread-safe.
enum PredictionEncoder {
    /// Which answer is being written.
    enum Mode {
        /// A plain GET / cancel / list entry: the state now.
        case current
        /// An asynchronous create: always `starting`, as Replicate answers.
        case created
        /// A `Prefer: wait` answer: the state now, with the model's "processing" quirk.
        case syncAnswer
    }

    /// Absolute bases for `urls` (no trailing slash).
    struct URLBases: Sendable {
        var api: String
        var stream: String
    }

    static func encode(
        _ p: Prediction, model: FakeModel, at now: UInt64, mode: Mode, bases: URLBases
    ) -> [UInt8] {
        var o = JSONObjectWriter(capacity: 640 + p.input.count + outputSizeHint(p))
        write(p, model: model, at: now, mode: mode, bases: bases, into: &o)
        return o.finish()
    }

    static func write(
        _ p: Prediction, model: FakeModel, at now: UInt64, mode: Mode, bases: URLBases,
        into o: inout JSONObjectWriter
    ) {
        let v =
            mode == .created
            ? Prediction.View(
                status: .starting, visibleItems: 0, hasOutput: false, logs: "", startedOffset: nil,
                completedOffset: nil)
            : p.view(at: now)
        var status = v.status
        var completed = v.completedOffset
        if mode == .syncAnswer && model.syncAnswerSaysProcessing && status == .succeeded {
            status = .processing
            completed = nil
        }
        o.field("id", p.id)
        o.field("model", model.fullName)
        o.field("version", p.version)
        o.rawField("input", json: p.input)
        o.field("logs", v.logs)
        if v.hasOutput {
            var w = JSONWriter(capacity: outputSizeHint(p))
            switch p.plan.output {
            case .null: w.null()
            case .string(let s): w.string(s)
            case .list(let items):
                w.raw("[")
                for k in 0..<v.visibleItems {
                    if k > 0 { w.raw(",") }
                    w.string(items[k])
                }
                w.raw("]")
            }
            o.rawField("output", json: w.bytes)
        } else {
            o.nullField("output")
        }
        o.field("data_removed", false)
        if status == .failed, let e = p.plan.failure {
            o.field("error", e)
        } else {
            o.nullField("error")
        }
        o.field("status", status.rawValue)
        o.field("created_at", WallClock.iso8601(p.createdWall))
        if let s = v.startedOffset {
            o.field("started_at", WallClock.iso8601(p.createdWall + Int64(s)))
        }
        if let c = completed {
            o.field("completed_at", WallClock.iso8601(p.createdWall + Int64(c)))
        }
        var urls = JSONObjectWriter(capacity: 256)
        urls.field("cancel", bases.api + "/v1/predictions/" + p.id + "/cancel")
        urls.field("get", bases.api + "/v1/predictions/" + p.id)
        if model.streams {
            urls.field("stream", bases.stream + "/v1/streams/" + p.id)
        }
        urls.field("web", "https://replicate.com/p/" + p.id)
        o.rawField("urls", json: urls.finish())
        if let c = completed, status.isTerminal {
            o.rawField("metrics", json: metrics(p, v, completedOffset: c))
        }
        o.field("source", "api")
        if let d = p.deployment { o.field("deployment", d) }
        if let w = p.webhook { o.rawField("webhook", json: w) }
        if let f = p.webhookEventsFilter { o.rawField("webhook_events_filter", json: f) }
    }

    /// Planned metrics when the run finished; for a cancellation, the time actually processed.
    private static func metrics(_ p: Prediction, _ v: Prediction.View, completedOffset: UInt64) -> [UInt8] {
        var m = JSONObjectWriter(capacity: 160)
        let predictMicros: Int
        if v.status == .canceled {
            let ran = v.startedOffset.map { completedOffset &- $0 } ?? 0
            predictMicros = Int(ran / 1000)
        } else {
            predictMicros = p.plan.predictMicros
            for (name, value) in p.plan.extraMetrics { m.rawField(name, json: value.utf8) }
        }
        m.rawField("predict_time", json: DecimalSeconds.text(micros: predictMicros).utf8)
        m.rawField("total_time", json: DecimalSeconds.text(micros: predictMicros + 100_000).utf8)
        return m.finish()
    }

    private static func outputSizeHint(_ p: Prediction) -> Int {
        switch p.plan.output {
        case .null: return 8
        case .string(let s): return s.utf8.count + 8
        case .list(let items): return items.reduce(2) { $0 + $1.utf8.count + 4 }
        }
    }
}
