/// An account's webhook signing secret, as `GET /v1/webhooks/default/secret` gives it
/// (`{"key":"whsec_<base64>"}`): the HMAC key is the base64-decoded part after `whsec_`, as in
/// Replicate's validators (Python `replicate.webhooks.validate`, JavaScript `validateWebhook`).
///
/// The key is the account's: it lives in memory only, is never logged (`description` hides
/// it), never stored. Value type; `Sendable`.
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible {
    /// The HMAC-SHA256 key.
    public let key: [UInt8]

    public init(key: [UInt8]) { self.key = key }

    /// From the `key` field's text; nil unless it is `whsec_` followed by non-empty base64.
    public init?(whsec text: String) {
        // The Python validator splits at "_" and wants exactly two parts.
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "whsec", let key = Base64.decode(parts[1]), !key.isEmpty else {
            return nil
        }
        self.key = key
    }

    public var description: String { "WebhookSecret(\(key.count) bytes)" }
}
