import Testing

@testable import RedisStore

@Suite struct RedisScriptTests {
    /// FIPS 180 / RFC 3174 vectors, through the script type that uses them.
    @Test func sha1OfTheSource() {
        #expect(RedisScript("").sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(RedisScript("abc").sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(
            RedisScript("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").sha1
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(RedisScript("return 1").source == Array("return 1".utf8))
    }
}
