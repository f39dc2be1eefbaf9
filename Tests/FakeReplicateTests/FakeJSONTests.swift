import Testing

@testable import FakeReplicate

@Suite struct FakeJSONTests {
    @Test func parsesNestedValues() throws {
        let v = try FakeJSON.parse(Array(#" {"a":[1,-2.5e3,true,false,null],"b":{"c":"d"}} "#.utf8))
        #expect(v["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(v["b"]?["c"] == .string("d"))
    }
}
