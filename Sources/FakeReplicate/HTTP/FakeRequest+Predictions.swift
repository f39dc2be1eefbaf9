import CryptoPrimitives
import HTTPTypes
import JSONCore

/// The prediction routes: the three creates (with `Prefer: wait`), get, cancel and list.
extension FakeRequest {
    /// How often a held `Prefer: wait` answer re-reads its prediction, so that a cancel from
    /// another connection (or a clock jump) ends the wait promptly.
    static let waitRecheckNanoseconds: UInt64 = 100_000_000

    // MARK: - Create

    func createPrediction(owner: Int) {
        let counter: FakeCounter
        switch route {
        case .createModelPrediction: counter = .createModelPrediction
        case .createDeploymentPrediction: counter = .createDeploymentPrediction
        default: counter = .createPrediction
        }
        fake.counters.increment(counter, token: owner)
        let json: JSONValue
        do {
            json = try FakeRequest.bodyParser.parse(body)
        } catch {
            respondProblem(400, "Invalid JSON", "The request body is not valid JSON: \(error)")
            return
        }
        guard json.objectValue != nil else {
            respondProblem(400, "Invalid JSON", "The request body must be a JSON object")
            return
        }
        guard let (modelIndex, version, deployment) = resolveModel(json) else { return }
        var wait: (Duration, String)?
        if let prefer = head.headers[.prefer] {
            switch FakeRequest.parsePreferWait(prefer, default: fake.configuration.defaultWait) {
            case .none: break
            case .wait(let d, let applied): wait = (d, applied)
            case .invalid:
                respondProblem(
                    400, "Invalid Prefer header",
                    "Prefer: wait must be 'wait' or 'wait=N' with N between 1 and 60", extra: [])
                return
            }
        }
        guard let input = json["input"] else {
            respondProblem(422, "Input validation failed", "input: input is required")
            return
        }
        let model = fake.catalogue.models[modelIndex]
        let plan: PredictionPlan
        do {
            plan = try PredictionPlanner.plan(
                model: model, input: input, configuration: fake.configuration, hasher: responder.hasher)
        } catch {
            respondProblem(422, "Input validation failed", error.detail)
            return
        }
        let webhook = json["webhook"]
        if let w = webhook, w.jsonStringValue == nil, !w.isNull {
            respondProblem(422, "Input validation failed", "webhook: Invalid type. Expected: string")
            return
        }
        let now = fake.now(on: loop)
        let inputBytes = input.serialized()
        let prediction = fake.store.insert { seq in
            Prediction(
                id: SecureRandom.identifier26(), seq: seq, owner: owner, modelIndex: modelIndex, version: version,
                input: inputBytes, plan: plan, createdAt: now, createdWall: WallClock.nowNanoseconds(),
                canceledAt: nil, deployment: deployment,
                webhook: webhook.flatMap { $0.isNull ? nil : $0.serialized() },
                webhookEventsFilter: json["webhook_events_filter"]?.serialized())
        }
        fake.logger?.debug("prediction created", ["model": .string(model.fullName), "id": .string(prediction.id)])
        guard let (duration, applied) = wait else {
            let bytes = PredictionEncoder.encode(
                prediction, model: model, at: now, mode: .created, bases: fake.urlBases)
            respond(201, bytes, rateLimitRemaining: 599)
            return
        }
        waitState = WaitState(
            id: prediction.id, owner: owner, deadline: now &+ duration.nanosecondsClamped, applied: applied,
            created: prediction)
        checkWait()
    }

    /// The model, the `version` to report and the deployment name, or nil after answering
    /// 404/422.
    private func resolveModel(_ json: JSONValue) -> (Int, String, String?)? {
        let c = fake.catalogue
        switch route {
        case .createModelPrediction(let o, let n):
            guard let m = c.modelIndex(owner: o, name: n) else {
                respondProblem(404, "Not found", "Model not found: \(o)/\(n)")
                return nil
            }
            return (m, c.models[m].nameCreatedVersion ?? c.models[m].versionID, nil)
        case .createDeploymentPrediction(let o, let n):
            guard let d = c.deploymentIndex(owner: o, name: n) else {
                respondProblem(404, "Not found", "Deployment not found: \(o)/\(n)")
                return nil
            }
            let m = c.deployments[d].modelIndex
            return (m, c.models[m].versionID, "\(o)/\(n)")
        default:
            if let ref = json["version"]?.stringValue, let resolved = resolveVersionReference(Substring(ref)) {
                return resolved
            }
            respondProblem(
                422, "Invalid version or not permitted",
                "The specified version does not exist (or perhaps you don't have permission to use it?)")
            return nil
        }
    }

    /// `{id}`, `{owner}/{name}:{id}`, or `{owner}/{name}` (official models only).
    private func resolveVersionReference(_ ref: Substring) -> (Int, String, String?)? {
        let c = fake.catalogue
        let colon = ref.utf8.firstIndex(of: UInt8(ascii: ":"))
        let slash = ref.utf8.firstIndex(of: UInt8(ascii: "/"))
        guard let slash else {
            return c.modelIndex(versionID: ref).map { ($0, c.models[$0].versionID, nil) }
        }
        let owner = ref[..<slash]
        let rest = ref[ref.utf8.index(after: slash)...]
        if let colon, colon > slash {
            let name = ref[ref.utf8.index(after: slash)..<colon]
            let id = ref[ref.utf8.index(after: colon)...]
            guard let m = c.modelIndex(owner: owner, name: name), id == c.models[m].versionID else { return nil }
            return (m, c.models[m].versionID, nil)
        }
        guard colon == nil, let m = c.modelIndex(owner: owner, name: rest), c.models[m].isOfficial else { return nil }
        return (m, c.models[m].nameCreatedVersion ?? c.models[m].versionID, nil)
    }

    // MARK: - Prefer: wait

    /// What a `Prefer` header asks of a create.
    enum PreferWait: Equatable {
        case none
        case wait(Duration, applied: String)
        case invalid
    }

    /// Reads the `wait` preference (SPEC pattern `^wait(=([1-9]|[1-9][0-9]|60))?$`) from a
    /// `Prefer` value that may list other preferences.
    static func parsePreferWait(_ value: String, default d: Duration) -> PreferWait {
        for raw in value.split(separator: ",") {
            let part = raw.trimmingASCIISpaces()
            if part == "wait" { return .wait(d, applied: "wait") }
            if part.hasPrefix("wait=") {
                let n = part.dropFirst(5)
                guard n.first != "0", let s = Int(n), (1...60).contains(s) else { return .invalid }
                return .wait(.seconds(s), applied: "wait=\(s)")
            }
        }
        return .none
    }

    /// Answers the held create if its prediction has ended or the wait ran out; otherwise
    /// re-checks at the earliest of its end, the deadline and the re-check period.
    func checkWait() {
        guard let w = waitState else { return }
        let now = fake.now(on: loop)
        let p = fake.store.get(Substring(w.id), owner: w.owner) ?? w.created
        let model = fake.catalogue.models[p.modelIndex]
        let ended = p.view(at: now).status.isTerminal
        if ended || now >= w.deadline {
            var extra: [(HTTPHeaderName, String)] = [(JSONHeaders.preferenceApplied, w.applied)]
            if !ended { extra.append((.location, fake.urlBases.api + "/v1/predictions/" + p.id)) }
            let bytes = PredictionEncoder.encode(p, model: model, at: now, mode: .syncAnswer, bases: fake.urlBases)
            waitState = nil
            respond(201, bytes, extra: extra, rateLimitRemaining: 599)
            return
        }
        let next = min(p.endsAt, w.deadline, now &+ FakeRequest.waitRecheckNanoseconds)
        timer = loop.schedule(atNanoseconds: fake.loopDeadline(forFakeInstant: next)) { [self] in
            timer = nil
            checkWait()
        }
    }

    // MARK: - Get, cancel, list

    func getPrediction(_ id: Substring, owner: Int) {
        fake.counters.increment(.getPrediction, token: owner)
        guard let p = fake.store.get(id, owner: owner) else {
            respondProblem(404, "Not found", "Prediction not found")
            return
        }
        respondCurrent(p)
    }

    func cancelPrediction(_ id: Substring, owner: Int) {
        fake.counters.increment(.cancelPrediction, token: owner)
        guard let p = fake.store.cancel(id, owner: owner, now: fake.now(on: loop)) else {
            respondProblem(404, "Not found", "Prediction not found")
            return
        }
        respondCurrent(p)
    }

    private func respondCurrent(_ p: Prediction) {
        let model = fake.catalogue.models[p.modelIndex]
        respond(
            200, PredictionEncoder.encode(p, model: model, at: fake.now(on: loop), mode: .current, bases: fake.urlBases)
        )
    }

    func listPredictions(owner: Int) {
        fake.counters.increment(.listPredictions, token: owner)
        let cursor = FakeRequest.queryValue("cursor", in: head.query)
        let page = fake.store.page(owner: owner, cursor: cursor, limit: fake.configuration.pageSize)
        let bases = fake.urlBases
        let now = fake.now(on: loop)
        var results = JSONWriter(capacity: 1024 * max(1, page.results.count))
        results.raw("[")
        for (k, p) in page.results.enumerated() {
            if k > 0 { results.raw(",") }
            var o = JSONObjectWriter(capacity: 1024)
            PredictionEncoder.write(
                p, model: fake.catalogue.models[p.modelIndex], at: now, mode: .current, bases: bases, into: &o)
            results.raw(bytes: o.finish())
        }
        results.raw("]")
        let base = bases.api + "/v1/predictions?cursor="
        respond(
            200,
            FakeRequest.pageJSON(
                next: page.olderCursor.map { base + $0 }, previous: page.newerCursor.map { base + $0 },
                results: results.bytes))
    }

    /// `{"next":…,"previous":…,"results":…}` with absolute links or null.
    static func pageJSON(next: String?, previous: String?, results: [UInt8]) -> [UInt8] {
        var o = JSONObjectWriter(capacity: results.count + 256)
        if let n = next { o.field("next", n) } else { o.nullField("next") }
        if let p = previous { o.field("previous", p) } else { o.nullField("previous") }
        o.rawField("results", json: results)
        return o.finish()
    }

    /// The raw value of `name` in a query string (no percent-decoding: cursors are plain).
    static func queryValue(_ name: String, in query: Substring?) -> Substring? {
        guard let q = query else { return nil }
        for pair in q.split(separator: "&") {
            guard let eq = pair.utf8.firstIndex(of: UInt8(ascii: "=")) else { continue }
            if pair[..<eq] == name { return pair[pair.utf8.index(after: eq)...] }
        }
        return nil
    }
}
