/// The user-keyed maps: `cache.models`, `pricing.hardware`, `pricing.models`.
extension ConfigDecoder {
    mutating func cacheRules() -> [ModelCacheRule] {
        var rules: [ModelCacheRule] = []
        for entry in mapEntries("cache.models") {
            let display = "cache.models.\(entry.key)"
            let model = modelKey(entry, map: "cache.models")
            let ttl = leaf(
                "cache.models.*.ttl", node: entry.value["ttl"], display: display + ".ttl",
                ValueParsers.duration(allowZero: false))
            let enabled =
                leaf(
                    "cache.models.*.enabled", node: entry.value["enabled"], display: display + ".enabled",
                    ValueParsers.boolean)
                ?? defaultValue("cache.models.*.enabled", ValueParsers.boolean)
            if let model { rules.append(ModelCacheRule(model: model, ttl: ttl, enabled: enabled)) }
        }
        return rules
    }

    mutating func pricing() -> PricingSettings {
        var hardware: [String: Double] = [:]
        var listedSKUs: [String] = []
        for entry in mapEntries("pricing.hardware") {
            listedSKUs.append(entry.key)
            do throws(ConfigValueError) {
                _ = try ValueParsers.name(entry.key)
            } catch {
                diagnostics.add(line: entry.keyLine, "pricing.hardware: \(error.message)")
            }
            let display = "pricing.hardware.\(entry.key)"
            if let price = leaf("pricing.hardware.*", node: entry.value, display: display, ValueParsers.number) {
                hardware[entry.key] = price
            }
        }
        var rules: [ModelPriceRule] = []
        for entry in mapEntries("pricing.models") {
            let model = modelKey(entry, map: "pricing.models")
            let price = modelPrice(entry, hardware: hardware, listedSKUs: listedSKUs)
            if let model, let price { rules.append(ModelPriceRule(model: model, price: price)) }
        }
        return PricingSettings(hardware: hardware, models: rules)
    }

    /// Exactly one of the three price forms, with a hardware SKU that `pricing.hardware` lists.
    private mutating func modelPrice(
        _ entry: YAMLMappingEntry, hardware: [String: Double], listedSKUs: [String]
    ) -> ModelPrice? {
        let display = "pricing.models.\(entry.key)"
        let node = entry.value
        let number = ValueParsers.number
        let sku = leaf(
            "pricing.models.*.hardware", node: node["hardware"], display: display + ".hardware", ValueParsers.name)
        let input = leaf(
            "pricing.models.*.input_per_million_tokens", node: node["input_per_million_tokens"],
            display: display + ".input_per_million_tokens", number)
        let output = leaf(
            "pricing.models.*.output_per_million_tokens", node: node["output_per_million_tokens"],
            display: display + ".output_per_million_tokens", number)
        let perOutput = leaf(
            "pricing.models.*.per_output", node: node["per_output"], display: display + ".per_output", number)

        let byTime = node["hardware"] != nil
        let byTokens = node["input_per_million_tokens"] != nil || node["output_per_million_tokens"] != nil
        let byOutput = node["per_output"] != nil
        let forms = [byTime, byTokens, byOutput].filter { $0 }.count
        let choices = "hardware, per_output, or input_per_million_tokens with output_per_million_tokens"
        guard forms == 1 else {
            let what = forms == 0 ? "give a price: \(choices)" : "give only one price form: \(choices)"
            diagnostics.add(line: entry.keyLine, "\(display): \(what)")
            return nil
        }
        if byTokens, node["input_per_million_tokens"] == nil || node["output_per_million_tokens"] == nil {
            diagnostics.add(
                line: entry.keyLine, "\(display): give both input_per_million_tokens and output_per_million_tokens")
            return nil
        }
        if byTime {
            guard let sku else { return nil }
            guard let usd = hardware[sku] else {
                // A listed SKU without a valid price has been reported already.
                if !listedSKUs.contains(sku), let line = node["hardware"]?.line {
                    let hint = KeySuggestion.hint(
                        for: sku, siblings: listedSKUs, displayParent: "", searchSchema: false)
                    diagnostics.add(line: line, "\(display).hardware: '\(sku)' is not in pricing.hardware\(hint)")
                }
                return nil
            }
            return .hardware(sku: sku, usdPerSecond: usd)
        }
        if byTokens {
            guard let input, let output else { return nil }
            return .tokens(inputPerMillion: input, outputPerMillion: output)
        }
        return perOutput.map { .perOutput($0) }
    }

    /// The entry's key as a model reference; reported at the key's line when malformed.
    private mutating func modelKey(_ entry: YAMLMappingEntry, map: String) -> ModelRef? {
        do throws(ConfigValueError) {
            return try ModelRef(parsing: entry.key)
        } catch {
            diagnostics.add(line: entry.keyLine, "\(map): \(error.message)")
            return nil
        }
    }
}
