import Testing

@testable import Webhooks

@Suite struct Base64Tests {
    /// RFC 4648 §10.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test func encodesTheRFC4648Vectors() {
        for (plain, encoded) in Self.vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
        }
    }

    @Test func decodesTheRFC4648VectorsWithAndWithoutPadding() {
        for (plain, encoded) in Self.vectors {
            #expect(Base64.decode(encoded) == Array(plain.utf8))
            let unpadded = encoded.filter { $0 != "=" }
            #expect(Base64.decode(unpadded) == Array(plain.utf8))
        }
    }

    @Test func roundTripsEveryByteValueAndLength() {
        let all = (0...255).map { UInt8($0) }
        for n in 0..<40 {
            let bytes = Array(all[(n * 5) % 200..<((n * 5) % 200 + n)])
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
    }

    @Test func refusesWhatNoEncoderProduces() {
        for bad in ["Zg=", "Z", "Zm9vY", "Zg===", "Z===", "=Zg=", "Zm 9v", "Zm9v\n", "Zm9-", "Zm9_", "Zg==Zg==", "é"] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }
}
