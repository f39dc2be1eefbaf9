/// Why a config could not be loaded: every problem found, one line each, in the form
/// `FILE:LINE: message` (or `FILE: message` when the file cannot be read, `env NAME: message`
/// for an environment override). `reprise --check-config` prints `messages` and exits 1.
/// Value type.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var messages: [String]

    public init(messages: [String]) {
        self.messages = messages
    }

    public var description: String { messages.joined(separator: "\n") }
}
