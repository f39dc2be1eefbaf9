import RedisKeyspace

extension RedisClient {
    /// Runs `script` with `EVALSHA`; when the server answers `NOSCRIPT`, sends it once more with
    /// `EVAL` (which also loads it, so the next call is an `EVALSHA` hit again). `keys` are
    /// declared as keys so Redis Cluster can route the call. Each attempt has its own command
    /// timeout.
    public func evalsha(
        _ script: RedisScript, keys: [RedisKey], arguments: [RedisArgument] = [],
        completion: @escaping Completion
    ) {
        var command: [RedisArgument] = []
        command.reserveCapacity(3 + keys.count + arguments.count)
        command.append("EVALSHA")
        command.append(script.sha1Argument)
        command.append(.integer(Int64(keys.count)))
        for key in keys { command.append(.key(key)) }
        command.append(contentsOf: arguments)
        send(command) { [weak self] result in
            guard case .failure(let error) = result, error.isNoScript, let self else {
                return completion(result)
            }
            command[0] = "EVAL"
            command[1] = script.sourceArgument
            self.send(command, completion: completion)
        }
    }
}
