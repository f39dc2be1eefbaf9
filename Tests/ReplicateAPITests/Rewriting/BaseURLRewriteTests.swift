import ReplicateAPI
import Testing

@Suite struct BaseURLRewriteTests {
    let base = BaseURLRewrite(upstreamBase: "https://api.replicate.com/", publicBase: "http://127.0.0.1:8080//")

    @Test func trimsTrailingSlashes() {
        #expect(base.upstreamBase == "https://api.replicate.com")
        #expect(base.publicBase == "http://127.0.0.1:8080")
    }

    @Test func rewritesLocationStyleStrings() {
        #expect(
            base.rewrite("https://api.replicate.com/v1/predictions/abc?x=1")
                == "http://127.0.0.1:8080/v1/predictions/abc?x=1")
        #expect(base.rewrite("https://api.replicate.com") == "http://127.0.0.1:8080")
        #expect(base.rewrite("https://api.replicate.com.evil.example/v1") == nil)
        #expect(base.rewrite("https://api.replicate.co") == nil)
        #expect(base.rewrite("") == nil)
    }

    @Test func remainder() {
        #expect(base.upstreamRemainder(Array("https://API.replicate.com/v1/x".utf8)) == Array("/v1/x".utf8)[...])
        #expect(base.upstreamRemainder(Array("https://api.replicate.com:8443/x".utf8)) == nil)
    }
}
