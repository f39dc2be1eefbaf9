extension RedisClient {
    /// Sends `commands` back to back (written together, one round trip) and calls `completion`
    /// once with every result, in order, after the last one arrives. Each command fails or
    /// succeeds on its own; an empty list completes with `[]`.
    public func pipeline(
        _ commands: [[RedisArgument]], completion: @escaping ([Result<RedisValue, RedisError>]) -> Void
    ) {
        guard !commands.isEmpty else {
            return loop.deferToEndOfTick { completion([]) }
        }
        let collector = PipelineCollector(count: commands.count, completion: completion)
        for (i, command) in commands.enumerated() {
            send(command) { collector.set(i, $0) }
        }
    }
}

/// Gathers the results of one `pipeline` call. Loop thread only (completions run there).
private final class PipelineCollector {
    private var results: [Result<RedisValue, RedisError>?]
    private var remaining: Int
    private let completion: ([Result<RedisValue, RedisError>]) -> Void

    init(count: Int, completion: @escaping ([Result<RedisValue, RedisError>]) -> Void) {
        results = Array(repeating: nil, count: count)
        remaining = count
        self.completion = completion
    }

    func set(_ index: Int, _ result: Result<RedisValue, RedisError>) {
        precondition(results[index] == nil, "pipeline command completed twice")
        results[index] = result
        remaining -= 1
        if remaining == 0 { completion(results.map { $0! }) }
    }
}
