import CryptoPrimitives
import JSONCore

/// Turns a model and a create request's `input` into a `PredictionPlan`, or an input error.
///
/// Every output and metric is a deterministic function of the input (cache tests compare
/// outputs; cost tests recompute `predict_time`):
/// - hello-world: `"hello " + text`; predict_time = 0.1 s + 0.01 s per UTF-8 byte of `text`.
/// - LLM: `["Echo:"] + chunks(prompt)`, where a chunk is a whitespace run plus the word after
///   it (the first gets a leading space), capped at `max_tokens`; joined, the output reads
///   `"Echo: " + prompt`. predict_time = 0.05 s + 0.02 s per output token; metrics add
///   `input_token_count` (chunks of the prompt), `output_token_count`, `time_to_first_token`
///   and `tokens_per_second`.
/// - sdxl: `num_outputs` URLs `{delivery}/{sha256(prompt|seed) prefix}/out-{i}.png`;
///   predict_time = 1.5 s + 1 s per image.
/// - slow: runs `seconds` (its real processing time too); output `"slept {seconds}s"`;
///   predict_time = `seconds`.
/// - fails: `failed` with error `message`; predict_time = 0.1 s.
///
/// Stateless apart from the caller's hasher; call on one thread at a time per hasher.
enum PredictionPlanner {
    /// Why an input was refused: 422 "Input validation failed" with this detail.
    struct InputError: Error, Equatable {
        var detail: String
    }

    static func plan(
        model: FakeModel, input: JSONValue, configuration c: FakeReplicateConfiguration,
        hasher: SHA256Hasher
    ) throws(InputError) -> PredictionPlan {
        guard input.objectValue != nil else { throw InputError(detail: "input: Input should be an object") }
        let quick = c.quickRunDuration.nanosecondsClamped
        var plan = PredictionPlan(
            startOffset: c.startDelay.nanosecondsClamped, runDuration: quick, failure: nil, output: .null,
            isIterator: false, itemInterval: 0, runningLogs: "", finalLogs: "", predictMicros: 0,
            extraMetrics: [])
        switch model.behaviour {
        case .hello:
            let text = try requiredString(input, "text")
            plan.output = .string("hello " + text)
            plan.predictMicros = 100_000 + 10_000 * text.utf8.count
        case .llm:
            let prompt = try optionalString(input, "prompt") ?? ""
            let maxTokens = try optionalInteger(input, "max_tokens", in: 1...1_000_000) ?? 512
            let chunks = promptChunks(prompt)
            var tokens = ["Echo:"]
            for (i, chunk) in chunks.enumerated() {
                tokens.append(i == 0 && !isWhitespace(chunk.utf8.first!) ? " " + chunk : chunk)
            }
            if tokens.count > maxTokens { tokens.removeLast(tokens.count - maxTokens) }
            let interval = c.streamInterval.nanosecondsClamped
            plan.output = .list(tokens)
            plan.isIterator = true
            plan.itemInterval = interval
            plan.runDuration = UInt64(tokens.count) &* interval
            plan.predictMicros = 50_000 + 20_000 * tokens.count
            let tpsMilli = tokens.count * 1_000_000_000 / plan.predictMicros
            plan.extraMetrics = [
                ("input_token_count", String(chunks.count)),
                ("output_token_count", String(tokens.count)),
                ("time_to_first_token", "0.05"),
                ("tokens_per_second", DecimalSeconds.text(micros: tpsMilli * 1000)),
            ]
            plan.finalLogs = "Generated \(tokens.count) tokens\n"
        case .images:
            let prompt = try optionalString(input, "prompt") ?? "An astronaut riding a rainbow unicorn"
            let count = try optionalInteger(input, "num_outputs", in: 1...4) ?? 1
            let seed = try optionalInteger(input, "seed", in: Int.min...Int.max)
            let digest = hasher.digest(prompt + "|" + (seed.map(String.init) ?? "random"))
            let folder = Hex.encode(digest.prefix(16))
            plan.output = .list((0..<count).map { "\(c.deliveryBaseURL)/\(folder)/out-\($0).png" })
            plan.predictMicros = 1_500_000 + 1_000_000 * count
            plan.runningLogs = "Using seed: \(seed ?? 0)\n"
            plan.finalLogs = plan.runningLogs
        case .slow:
            let seconds = try optionalNumber(input, "seconds", in: 0...600) ?? 1
            plan.runDuration = UInt64((seconds * 1e9).rounded())
            plan.output = .string("slept \(seconds)s")
            plan.predictMicros = Int((seconds * 1e6).rounded())
            plan.runningLogs = "sleeping for \(seconds)s\n"
            plan.finalLogs = plan.runningLogs + "done\n"
        case .fails:
            let message = try optionalString(input, "message") ?? "deliberate failure"
            plan.failure = message
            plan.predictMicros = 100_000
            plan.finalLogs =
                "Traceback (most recent call last):\n  File \"predict.py\", line 9, in predict\n"
                + "RuntimeError: \(message)\n"
        }
        return plan
    }

    /// Whitespace run + following word, in order; concatenated they give `prompt` back.
    static func promptChunks(_ prompt: String) -> [String] {
        var chunks: [String] = []
        var current: [UInt8] = []
        var inWord = false
        for b in prompt.utf8 {
            if isWhitespace(b) {
                if inWord {
                    chunks.append(String(decoding: current, as: UTF8.self))
                    current.removeAll(keepingCapacity: true)
                    inWord = false
                }
            } else {
                inWord = true
            }
            current.append(b)
        }
        if !current.isEmpty { chunks.append(String(decoding: current, as: UTF8.self)) }
        return chunks
    }

    private static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }

    // MARK: - Input fields

    private static func requiredString(_ input: JSONValue, _ key: String) throws(InputError) -> String {
        guard let v = input[key] else { throw InputError(detail: "input: \(key) is required") }
        guard let s = v.stringValue else { throw InputError(detail: "input.\(key): Invalid type. Expected: string") }
        return s
    }

    private static func optionalString(_ input: JSONValue, _ key: String) throws(InputError) -> String? {
        guard let v = input[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw InputError(detail: "input.\(key): Invalid type. Expected: string") }
        return s
    }

    private static func optionalInteger(
        _ input: JSONValue, _ key: String, in range: ClosedRange<Int>
    ) throws(InputError) -> Int? {
        try optionalValue(input, key, "integer", in: range) { $0.intValue }
    }

    private static func optionalNumber(
        _ input: JSONValue, _ key: String, in range: ClosedRange<Double>
    ) throws(InputError) -> Double? {
        // A number too large for a double is out of range, not of the wrong type.
        try optionalValue(input, key, "number", in: range) { $0.numberValue.flatMap { Double($0.lexeme) } }
    }

    /// `input[key]` converted and range-checked; nil when absent or null.
    private static func optionalValue<T: Comparable>(
        _ input: JSONValue, _ key: String, _ typeName: String, in range: ClosedRange<T>, _ convert: (JSONValue) -> T?
    ) throws(InputError) -> T? {
        guard let v = input[key], !v.isNull else { return nil }
        guard let n = convert(v) else { throw InputError(detail: "input.\(key): Invalid type. Expected: \(typeName)") }
        guard range.contains(n) else {
            throw InputError(detail: "input.\(key): Must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return n
    }
}
