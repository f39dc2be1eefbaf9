import CryptoPrimitives
import HTTPTypes
import Testing

@testable import Webhooks

/// Signature vectors computed outside Reprise, with Python's `hmac`/`hashlib`/`base64` (the
/// same calls `replicate.webhooks.validate` makes):
///
/// ```python
/// key = base64.b64decode(secret.split("_")[1])
/// "v1," + base64.b64encode(hmac.new(key, f"{id}.{ts}.{body}".encode(), hashlib.sha256).digest()).decode()
/// ```
@Suite struct WebhookSignatureTests {
    static let mac: WebhookSignature.MAC = { HMACSHA256.mac(key: $0, message: $1) }

    @Test func matchesTheStandardWebhooksSpecVector() throws {
        // The test vector of the Standard Webhooks specification (standard-webhooks/standard-webhooks).
        let secret = try #require(WebhookSecret(whsec: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = WebhookSignature.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8),
            secret: secret, mac: Self.mac)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func matchesAVectorComputedWithPython() throws {
        let secret = try #require(WebhookSecret(whsec: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"))
        #expect(secret.key == [
            0x0b, 0x61, 0x55, 0xb0, 0x14, 0x08, 0x86, 0xbb, 0x1c, 0x0a, 0x19, 0x50, 0x20, 0xc5, 0x7e, 0x6f, 0x9b, 0x12,
            0x62, 0xca, 0x68, 0x6f, 0xba, 0x03,
        ])
        let body = Array(#"{"id":"p1","status":"succeeded"}"#.utf8)
        let headers = WebhookSignature.headers(
            id: "msg_reprise0001", timestamp: 1_700_000_000, body: body, secret: secret, mac: Self.mac)
        #expect(headers[.contentType] == "application/json")
        #expect(headers[.webhookID] == "msg_reprise0001")
        #expect(headers[.webhookTimestamp] == "1700000000")
        #expect(headers[.webhookSignature] == "v1,ZwFGRJMRyZk8xwwdPsQRY1qVEOxVJ/4ky4ZkSJx8Xnc=")
    }

    @Test func signsIdDotTimestampDotBody() {
        #expect(WebhookSignature.signedContent(id: "msg_1", timestamp: 42, body: Array("{}".utf8)) == Array("msg_1.42.{}".utf8))
    }

    @Test func readsOnlyWellFormedSecrets() {
        #expect(WebhookSecret(whsec: "whsec_Zm9v")?.key == Array("foo".utf8))
        for bad in ["Zm9v", "whsec_", "whsec_!!!!", "wh_Zm9v", "whsec_Zm9v_x", "whsec_Zg="] {
            #expect(WebhookSecret(whsec: bad) == nil, "\(bad)")
        }
        #expect(!String(describing: WebhookSecret(key: [1, 2, 3])).contains("1"))
    }
}
