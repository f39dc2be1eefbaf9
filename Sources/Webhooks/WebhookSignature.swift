import HTTPTypes

/// Signs a webhook request the way Replicate does (Standard Webhooks; replicate-api.md §6):
///
/// ```
/// webhook-id:        msg_…   (one per event, the same on every retry)
/// webhook-timestamp: 1700000000   (Unix seconds of this attempt)
/// webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>
/// ```
///
/// The MAC is passed in so that this stays pure (the delivery side hands in
/// `CryptoPrimitives.HMACSHA256.mac`). Pure; thread-safe.
public enum WebhookSignature {
    /// HMAC-SHA256 of `message` under `key`.
    public typealias MAC = @Sendable (_ key: [UInt8], _ message: [UInt8]) -> [UInt8]

    /// The bytes that are signed: `{id}.{timestamp}.{body}`.
    public static func signedContent(id: String, timestamp: Int64, body: [UInt8]) -> [UInt8] {
        var out = Array(id.utf8)
        out.append(UInt8(ascii: "."))
        out += Array(String(timestamp).utf8)
        out.append(UInt8(ascii: "."))
        out += body
        return out
    }

    /// The `webhook-signature` value: `v1,<base64 MAC>`.
    public static func signature(
        id: String, timestamp: Int64, body: [UInt8], secret: WebhookSecret, mac: MAC
    ) -> String {
        "v1," + Base64.encode(mac(secret.key, signedContent(id: id, timestamp: timestamp, body: body)))
    }

    /// The headers of one delivery attempt: JSON content type plus the three signing headers.
    public static func headers(
        id: String, timestamp: Int64, body: [UInt8], secret: WebhookSecret, mac: MAC
    ) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(.contentType, "application/json")
        headers.add(.webhookID, id)
        headers.add(.webhookTimestamp, String(timestamp))
        headers.add(.webhookSignature, signature(id: id, timestamp: timestamp, body: body, secret: secret, mac: mac))
        return headers
    }
}
