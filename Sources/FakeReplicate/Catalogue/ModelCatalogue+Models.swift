extension ModelCatalogue {
    /// The built-in models. Index order is fixed: deployments and collections refer to it.
    /// hello-world's version id and schema are Replicate's own (SPEC examples); the LLM's
    /// `dp-…` id is the one recorded in replicate-python's cassettes; other ids are made up.
    static let builtInModels: [FakeModel] = [
        FakeModel(
            owner: "replicate", name: "hello-world",
            versionID: "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
            nameCreatedVersion: nil, isOfficial: false,
            description: "A tiny model that says hello", runCount: 5_681_081,
            versionCreatedAt: "2022-04-26T19:29:04.418669Z", behaviour: .hello, streams: false,
            syncAnswerSaysProcessing: false,
            inputSchema: #"""
                {"type":"object","title":"Input","required":["text"],"properties":{"text":{"type":"string","title":"Text","x-order":0,"description":"Text to prefix with 'hello '"}}}
                """#,
            outputSchema: #"{"type":"string","title":"Output"}"#),
        FakeModel(
            owner: "meta", name: "meta-llama-3-8b-instruct",
            versionID: "5a6809ca6288247d06daf6365557e5e429063f32a21146b2a807c682652136b8",
            nameCreatedVersion: "dp-a557b7387b4940df25b23f779dc534c4", isOfficial: true,
            description: "An 8 billion parameter language model from Meta, fine tuned for chat completions",
            runCount: 48_173_113, versionCreatedAt: "2024-04-17T21:44:13.482464Z", behaviour: .llm,
            streams: true, syncAnswerSaysProcessing: true,
            inputSchema: #"""
                {"type":"object","title":"Input","properties":{"prompt":{"type":"string","title":"Prompt","default":"","x-order":0},"max_tokens":{"type":"integer","title":"Max Tokens","default":512,"minimum":1,"x-order":1,"description":"Maximum number of tokens to generate"},"temperature":{"type":"number","title":"Temperature","default":0.6,"x-order":2}}}
                """#,
            outputSchema: #"""
                {"type":"array","items":{"type":"string"},"title":"Output","x-cog-array-type":"iterator","x-cog-array-display":"concatenate"}
                """#),
        FakeModel(
            owner: "stability-ai", name: "sdxl",
            versionID: "39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b",
            nameCreatedVersion: nil, isOfficial: false,
            description: "A text-to-image generative AI model that creates beautiful images",
            runCount: 80_417_235, versionCreatedAt: "2023-11-06T23:13:07.906314Z", behaviour: .images,
            streams: false, syncAnswerSaysProcessing: false,
            inputSchema: #"""
                {"type":"object","title":"Input","properties":{"prompt":{"type":"string","title":"Prompt","default":"An astronaut riding a rainbow unicorn","x-order":0},"num_outputs":{"type":"integer","title":"Num Outputs","default":1,"minimum":1,"maximum":4,"x-order":1},"seed":{"type":"integer","title":"Seed","x-order":2,"description":"Random seed. Leave blank to randomize the seed"}}}
                """#,
            outputSchema: #"""
                {"type":"array","items":{"type":"string","format":"uri"},"title":"Output"}
                """#),
        FakeModel(
            owner: "acme", name: "slow",
            versionID: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00",
            nameCreatedVersion: nil, isOfficial: false,
            description: "Sleeps for input.seconds, then succeeds (fake, for polling tests)", runCount: 42,
            versionCreatedAt: "2024-01-01T00:00:00.000000Z", behaviour: .slow, streams: false,
            syncAnswerSaysProcessing: false,
            inputSchema: #"""
                {"type":"object","title":"Input","properties":{"seconds":{"type":"number","title":"Seconds","default":1,"minimum":0,"maximum":600,"x-order":0}}}
                """#,
            outputSchema: #"{"type":"string","title":"Output"}"#),
        FakeModel(
            owner: "acme", name: "fails",
            versionID: "f00dfa11f00dfa11f00dfa11f00dfa11f00dfa11f00dfa11f00dfa11f00dfa11",
            nameCreatedVersion: nil, isOfficial: false,
            description: "Always fails with an error (fake, for error handling tests)", runCount: 7,
            versionCreatedAt: "2024-01-01T00:00:00.000000Z", behaviour: .fails, streams: false,
            syncAnswerSaysProcessing: false,
            inputSchema: #"""
                {"type":"object","title":"Input","properties":{"message":{"type":"string","title":"Message","default":"deliberate failure","x-order":0}}}
                """#,
            outputSchema: #"{"type":"string","title":"Output"}"#),
    ]
}
