import ChoreoFlows
import ChoreoModel

extension CollectorClient {
    /// The most steps one request for the shown steps names (the collector's `steps_at` bound);
    /// a tree showing more is rendered from the whole flow.
    static let maxStepsPerRequest = 10_000

    /// `choreo flows show` in text, holding only what it shows: the flow's header and outline
    /// first (`?steps_limit=0&traces_limit=5&outline=true`, about 16 bytes a step), the tree laid
    /// out from the outline, then only the steps it shows (`?steps_at=`). A flow of 100,000
    /// steps folds to a few lines, so the CLI reads a few hundred kilobytes instead of the
    /// whole flow's 90 MB.
    ///
    /// The whole flow is read instead when the tree shows more than ``maxStepsPerRequest``
    /// steps, when the collector answers without an outline (an older collector ignores the
    /// parameters), or when the flow changed between the two requests.
    func flowText(correlationID: String, renderer: FlowTreeRenderer) async throws -> String {
        let base = endpoint.flowURL(correlationID: correlationID)
        return try await Self.flowText(
            renderer: renderer,
            page: { request in try await page(base + "?" + Self.query(request), correlationID: correlationID) },
            whole: { try await flow(correlationID: correlationID) })
    }

    /// The text view from pages `page` reads and, when it must, the whole flow `whole` reads.
    static func flowText(
        renderer: FlowTreeRenderer, page: (FlowPageRequest) async throws -> FlowPage, whole: () async throws -> Flow
    ) async throws -> String {
        let first = try await page(
            FlowPageRequest(steps: .range(from: 0, limit: 0), tracesLimit: FlowTreeRenderer.listedTraces, outline: true))
        guard let outline = first.outline, first.stepsTotal == outline.steps.count else {
            return renderer.render(first.flow)
        }
        let layout = renderer.layout(outline)
        let shown = Array(Set(layout.shownSteps)).sorted()
        if shown.count > maxStepsPerRequest {
            return renderer.render(try await whole())
        }
        var steps: [Int: FlowStep] = [:]
        if !shown.isEmpty {
            let second = try await page(FlowPageRequest(steps: .at(shown), tracesLimit: 0))
            // A step stored between the two requests moves the indexes: read the whole flow.
            guard second.stepsTotal == outline.steps.count, second.flow.steps.count == shown.count else {
                return renderer.render(try await whole())
            }
            for (index, step) in zip(shown, second.flow.steps) { steps[index] = step }
        }
        return renderer.render(first, outline: outline, layout: layout) { steps[$0]! }
    }

    /// The query string of a page request (``FlowPageRequest``), as docs/query-api.md names the
    /// parameters; steps asked for by index go as ranges.
    static func query(_ request: FlowPageRequest) -> String {
        var parts: [String] = []
        switch request.steps {
        case .range(let from, let limit):
            if from > 0 { parts.append("steps_from=\(from)") }
            if let limit { parts.append("steps_limit=\(limit)") }
        case .at(let indexes): parts.append("steps_at=" + ranges(indexes))
        }
        if request.tracesFrom > 0 { parts.append("traces_from=\(request.tracesFrom)") }
        if let limit = request.tracesLimit { parts.append("traces_limit=\(limit)") }
        if request.outline { parts.append("outline=true") }
        return parts.joined(separator: "&")
    }

    /// Step indexes as `steps_at` ranges (runs of consecutive ones joined): `0-1,99999`.
    static func ranges(_ sorted: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// One page of a flow; errors as ``flow(correlationID:)`` reports them.
    private func page(_ url: String, correlationID: String) async throws -> FlowPage {
        let (status, body) = try await get(url, upTo: Self.maxFlowBodyBytes)
        if status == 200, let page = FlowPage(jsonBytes: body) { return page }
        let flow = try CollectorResponse.decode(
            Flow.self, status: status, body: body, url: url,
            notFound: "no flow with correlation id \"\(correlationID)\""
        )
        return FlowPage(flow: flow)
    }
}

extension QuerySource {
    /// One flow as `choreo flows show` prints it in text: from a collector, only the steps
    /// shown are read (``CollectorClient/flowText(correlationID:renderer:)``); from a store
    /// file, the flow is built and rendered whole.
    public func flowText(correlationID: String, renderer: FlowTreeRenderer) async throws -> String {
        if let client = self as? CollectorClient { return try await client.flowText(correlationID: correlationID, renderer: renderer) }
        return renderer.render(try await flow(correlationID: correlationID))
    }
}
