import Testing

@testable import Config

@Suite struct YAMLReaderTests {
    @Test func readsMappingsSequencesAndScalarsWithLines() {
        let result = YAMLReader.read(
            """
            # comment
            a: 1
            b:
              c: "quoted"
              d: [x, y]
            e: { f: ~ }
            """)
        #expect(result.problems.isEmpty)
        let root = try! #require(result.root)
        #expect(root.line == 2)
        let entries = try! #require(root.entries)
        #expect(entries.map(\.key) == ["a", "b", "e"])
        #expect(entries.map(\.keyLine) == [2, 3, 6])
        #expect(root["a"] == YAMLNode(.scalar(YAMLScalar("1")), line: 2))
        #expect(root["b"]?["c"] == YAMLNode(.scalar(YAMLScalar("quoted", isPlain: false)), line: 4))
        #expect(root["b"]?.line == 4)
        let list = root["b"]?["d"]
        #expect(list?.line == 5)
        #expect(
            list?.content
                == .sequence([YAMLNode(.scalar(YAMLScalar("x")), line: 5), YAMLNode(.scalar(YAMLScalar("y")), line: 5)])
        )
        #expect(root["e"]?["f"]?.isNull == true)
    }

    @Test func onlyPlainNullsAreNull() {
        let root = YAMLReader.read("a:\nb: ~\nc: null\nd: 'null'\ne: \"\"\n").root
        #expect(root?["a"]?.isNull == true)
        #expect(root?["b"]?.isNull == true)
        #expect(root?["c"]?.isNull == true)
        #expect(root?["d"]?.isNull == false)
        #expect(root?["e"]?.isNull == false)
    }

    @Test func emptyAndCommentOnlyInputsHaveNoDocument() {
        #expect(YAMLReader.read("") == YAMLReader.Result(root: nil, problems: []))
        #expect(YAMLReader.read("# nothing here\n\n") == YAMLReader.Result(root: nil, problems: []))
    }

    @Test func duplicateKeysAreReportedAtTheSecondOneAndAllCollected() {
        let result = YAMLReader.read("a: 1\nb:\n  x: 1\n  x: 2\na: 3\n")
        #expect(
            result.problems == [
                YAMLProblem(line: 4, message: "duplicate key 'x' (first given at line 3)"),
                YAMLProblem(line: 5, message: "duplicate key 'a' (first given at line 1)"),
            ])
        // The first value is kept.
        #expect(result.root?["a"]?.scalar?.text == "1")
        #expect(result.root?["b"]?.entries?.count == 1)
    }

    @Test func duplicateKeysInFlowMappings() {
        let result = YAMLReader.read("m: { ttl: 1h, ttl: 2h }\n")
        #expect(result.problems == [YAMLProblem(line: 1, message: "duplicate key 'ttl' (first given at line 1)")])
    }

    @Test func anchorsAliasesAndTagsAreRejected() {
        let result = YAMLReader.read(
            """
            base: &b
              x: 1
            copy: *b
            s: !!str 5
            """)
        #expect(
            result.problems == [
                YAMLProblem(line: 1, message: "anchors (&b) are not supported; write the value out in full"),
                YAMLProblem(line: 3, message: "aliases (*b) are not supported; write the value out in full"),
                YAMLProblem(
                    line: 4, message: "YAML tags (tag:yaml.org,2002:str) are not supported; remove the tag"),
            ])
        #expect(result.root?["base"]?.content == .invalid)
        #expect(result.root?["copy"]?.content == .invalid)
        #expect(result.root?["s"]?.content == .invalid)
    }

    @Test func aSecondDocumentIsRejected() {
        let result = YAMLReader.read("a: 1\n---\nb: 2\n")
        #expect(
            result.problems == [
                YAMLProblem(line: 2, message: "a config file holds one YAML document; a second one starts here")
            ])
        #expect(result.root?["a"]?.scalar?.text == "1")
    }

    @Test func anExplicitSingleDocumentIsFine() {
        let result = YAMLReader.read("---\na: 1\n...\n")
        #expect(result.problems.isEmpty)
        #expect(result.root?["a"]?.scalar?.text == "1")
    }

    @Test func syntaxErrorsCarryLibyamlWordsAndALine() {
        let result = YAMLReader.read("a: 1\nb\nc: 2\n")
        #expect(result.root == nil)
        #expect(
            result.problems == [
                YAMLProblem(
                    line: 3,
                    message: "YAML syntax error: could not find expected ':' "
                        + "(while scanning a simple key that starts at line 2)")
            ])
        let flow = YAMLReader.read("a: 1\nb: [1, 2\nc: 3\n")
        #expect(
            flow.problems == [
                YAMLProblem(
                    line: 3,
                    message: "YAML syntax error: did not find expected ',' or ']' "
                        + "(while parsing a flow sequence that starts at line 2)")
            ])
    }

    @Test func tabIndentationIsASyntaxError() {
        let result = YAMLReader.read("a:\n\tb: 1\n")
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.line == 2)
        #expect(
            result.problems.first?.message.hasPrefix("YAML syntax error: found character that cannot start") == true)
    }

    @Test func invalidUTF8IsReportedWithItsLine() {
        let bytes: [UInt8] = Array("a: 1\nb: ".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        let result = YAMLReader.read(bytes)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.line == 2)
        #expect(result.problems.first?.message.hasPrefix("not valid UTF-8 text: ") == true)
    }

    @Test func nonScalarKeysAreRejected() {
        let result = YAMLReader.read("? [a, b]\n: 1\nc: 2\n")
        #expect(result.problems == [YAMLProblem(line: 1, message: "keys must be scalars, not a list")])
        #expect(result.root?.entries?.map(\.key) == ["c"])
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let result = YAMLReader.read(deep)
        #expect(result.problems == [YAMLProblem(line: 1, message: "nesting deeper than 32 levels is not supported")])
        #expect(result.root == nil)
    }
}
