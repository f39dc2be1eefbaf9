import Foundation
import ReplicateAPI

/// Documents shaped like Replicate's answers, copied from the project's reference notes:
/// the prediction is the OpenAPI spec's `predictions.get` example; the streaming create answer
/// is the trimmed `test_models_predictions_create_blocking[False-True].yaml` cassette of the
/// replicate-python repository (recorded 2024-10-04); the list page follows the spec's
/// `predictions.list` shape (`next`/`previous` are absolute URLs). Expected rewrites are spelled
/// out, or made by plain text replacement where every occurrence must change.
enum RewriterFixtures {
    static let upstream = "https://api.replicate.com"
    static let publicBase = "http://127.0.0.1:8080"
    static let base = BaseURLRewrite(upstreamBase: upstream, publicBase: publicBase)

    static let getPrediction = """
        {"id":"gm3qorzdhgbfurvjtvhg6dckhu","model":"replicate/hello-world",
         "version":"5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
         "input":{"text":"Alice"},"logs":"","output":"hello Alice","error":null,"status":"succeeded",
         "created_at":"2023-09-08T16:19:34.765994Z","started_at":"2023-09-08T16:19:34.779176Z",
         "completed_at":"2023-09-08T16:19:34.791859Z","source":"api","data_removed":false,
         "metrics":{"predict_time":0.012683},
         "urls":{"web":"https://replicate.com/p/gm3qorzdhgbfurvjtvhg6dckhu",
                 "get":"https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu",
                 "cancel":"https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel"}}
        """

    static let getPredictionRewritten = getPrediction.replacingOccurrences(
        of: "https://api.replicate.com/v1/predictions/", with: "http://127.0.0.1:8080/v1/predictions/")

    static let streamURL = "https://streaming-api.svc.rno2.c.replicate.net/v1/streams/yr4xaj6tqbgq2fczqlxdkqgqwu"

    static let createWithStream = """
        {"id":"7vr9my1z3nrj40cjb2vv9pshw0","model":"meta/meta-llama-3-8b-instruct",
         "version":"dp-a557b7387b4940df25b23f779dc534c4","input":{"prompt":"Please write a haiku about llamas"},
         "logs":"","output":["\\n\\n","Fuzzy",", gentle"," soul\\n"],"data_removed":false,"error":null,
         "status":"processing","created_at":"2024-10-04T18:07:37.245Z",
         "urls":{"cancel":"https://api.replicate.com/v1/predictions/7vr9my1z3nrj40cjb2vv9pshw0/cancel",
                 "get":"https://api.replicate.com/v1/predictions/7vr9my1z3nrj40cjb2vv9pshw0",
                 "stream":"\(streamURL)"}}
        """

    static let createWithStreamRewritten = createWithStream.replacingOccurrences(
        of: "https://api.replicate.com/v1/predictions/", with: "http://127.0.0.1:8080/v1/predictions/"
    ).replacingOccurrences(of: streamURL, with: "http://127.0.0.1:8080/v1/streams/TOKEN1")

    static let listPage = """
        {
          "next": "https://api.replicate.com/v1/predictions?cursor=cD0yMDIzLTA5LTA4",
          "previous": null,
          "results": [
            {"id": "a1", "urls": {"get": "https://api.replicate.com/v1/predictions/a1",
                                  "cancel": "https://api.replicate.com/v1/predictions/a1/cancel",
                                  "stream": "https://stream.replicate.com/v1/files/f1"},
             "input": {"image": "https://api.replicate.com/v1/files/up1",
                       "urls": {"get": "https://api.replicate.com/v1/predictions/nested"}}},
            {"urls": {"web": "https://replicate.com/p/a2", "get": "https://api.replicate.com/v1/predictions/a2"},
             "id": "a2", "status": "succeeded"}
          ]
        }
        """

    static let listPageRewritten = """
        {
          "next": "http://127.0.0.1:8080/v1/predictions?cursor=cD0yMDIzLTA5LTA4",
          "previous": null,
          "results": [
            {"id": "a1", "urls": {"get": "http://127.0.0.1:8080/v1/predictions/a1",
                                  "cancel": "http://127.0.0.1:8080/v1/predictions/a1/cancel",
                                  "stream": "http://127.0.0.1:8080/v1/streams/TOKEN1"},
             "input": {"image": "https://api.replicate.com/v1/files/up1",
                       "urls": {"get": "https://api.replicate.com/v1/predictions/nested"}}},
            {"urls": {"web": "https://replicate.com/p/a2", "get": "http://127.0.0.1:8080/v1/predictions/a2"},
             "id": "a2", "status": "succeeded"}
          ]
        }
        """
}

/// Hands out `…/v1/streams/TOKEN<n>` for every upstream stream URL it is shown, and remembers them.
final class StreamMapRecorder {
    var seen: [String] = []

    var mapper: JSONURLRewriter.StreamURLMapper {
        { [self] url in
            seen.append(url)
            return RewriterFixtures.publicBase + "/v1/streams/TOKEN\(seen.count)"
        }
    }
}

func rewriteWhole(_ doc: String, _ streamURL: @escaping JSONURLRewriter.StreamURLMapper = { _ in nil })
    -> (text: String, didFail: Bool)
{
    let r = JSONURLRewriter.rewrite(Array(doc.utf8), base: RewriterFixtures.base, streamURL: streamURL)
    return (String(decoding: r.bytes, as: UTF8.self), r.didFail)
}

/// Feeds `doc` in pieces of `sizes` bytes (cycling), collecting the output.
func rewriteInPieces(
    _ doc: [UInt8], sizes: [Int], maxCandidateBytes: Int = 16 * 1024,
    _ streamURL: @escaping JSONURLRewriter.StreamURLMapper = { _ in nil }
) -> (bytes: [UInt8], didFail: Bool) {
    var rewriter = JSONURLRewriter(
        base: RewriterFixtures.base, maxCandidateBytes: maxCandidateBytes, streamURL: streamURL)
    var out: [UInt8] = []
    var offset = 0
    var k = 0
    while offset < doc.count {
        let size = min(sizes[k % sizes.count], doc.count - offset)
        out += rewriter.feed(Array(doc[offset..<(offset + size)]))
        offset += size
        k += 1
    }
    rewriter.finish(into: &out)
    return (out, rewriter.didFail)
}
