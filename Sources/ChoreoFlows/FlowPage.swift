/// What a page of a flow's JSON holds (`GET /api/v1/flows/{id}` with `steps_from`,
/// `steps_limit`, `steps_at`, `traces_from`, `traces_limit` or `outline`; docs/query-api.md):
/// some of the steps, some of the trace ids and optionally the ``FlowOutline``. The header,
/// findings and counts always cover the whole flow.
public struct FlowPageRequest: Hashable, Sendable {
    /// Which steps a page holds.
    public enum Steps: Hashable, Sendable {
        /// Steps `from ..< from + limit` in publish order (to the end when `limit` is nil); the
        /// page says `steps_from`.
        case range(from: Int, limit: Int?)
        /// The steps at these indexes (publish order), in the order given; indexes past the end
        /// are left out.
        case at([Int])
    }

    /// Trace ids a page lists when it does not say how many.
    public static let defaultTracesLimit = 100

    public var steps: Steps
    /// The first trace id listed (order of first appearance).
    public var tracesFrom: Int
    /// How many trace ids to list at most; nil for every one from ``tracesFrom`` (and then,
    /// when ``tracesFrom`` is 0, the page carries no `traces_from`/`traces_total`, as before
    /// trace paging).
    public var tracesLimit: Int?
    /// Whether the page carries the flow's ``FlowOutline`` (`outline`).
    public var outline: Bool

    public init(steps: Steps, tracesFrom: Int = 0, tracesLimit: Int? = FlowPageRequest.defaultTracesLimit, outline: Bool = false) {
        self.steps = steps
        self.tracesFrom = tracesFrom
        self.tracesLimit = tracesLimit
        self.outline = outline
    }
}

/// A page of a flow as a client reads it: ``flow`` holds the header, findings, the page's
/// steps and the page's trace ids; the rest says where they sit in the whole flow.
public struct FlowPage: Hashable, Sendable {
    public var flow: Flow
    /// Steps in the whole flow (`steps_total`); nil when the answer was the whole flow.
    public var stepsTotal: Int?
    /// The index of the first step (`steps_from`), for a page of a range.
    public var stepsFrom: Int?
    /// Trace ids in the whole flow (`traces_total`); nil when the answer listed them all.
    public var tracesTotal: Int?
    /// The flow's outline, when asked for.
    public var outline: FlowOutline?

    public init(flow: Flow, stepsTotal: Int? = nil, stepsFrom: Int? = nil, tracesTotal: Int? = nil, outline: FlowOutline? = nil) {
        self.flow = flow
        self.stepsTotal = stepsTotal
        self.stepsFrom = stepsFrom
        self.tracesTotal = tracesTotal
        self.outline = outline
    }

    /// How many steps the whole flow has.
    public var totalSteps: Int { stepsTotal ?? flow.steps.count }

    /// How many traces the whole flow is in.
    public var totalTraces: Int { tracesTotal ?? flow.traceIDs.count }

    /// Reads a page (or a whole flow) from its JSON; nil when the bytes are not one (decode
    /// with `JSONDecoder` for the precise error, as for ``Flow/init(jsonBytes:)``).
    public init?(jsonBytes: [UInt8]) {
        let page: FlowPage? = jsonBytes.withUnsafeBufferPointer { buffer in
            var reader = FlowJSONReader(buffer)
            return try? reader.pageDocument()
        }
        guard let page else { return nil }
        self = page
    }
}

extension FlowJSONReader {
    /// A page: one flow object with the page's keys, then only whitespace.
    mutating func pageDocument() throws -> FlowPage {
        var stepsTotal: Int?
        var stepsFrom: Int?
        var tracesTotal: Int?
        var outline: FlowOutline?
        let flow = try self.flow { reader, key in
            switch key {
            case "steps_total": stepsTotal = try reader.integer()
            case "steps_from": stepsFrom = try reader.integer()
            case "traces_total": tracesTotal = try reader.integer()
            case "outline": outline = try reader.outline()
            default: return false
            }
            return true
        }
        skipSpace()
        guard at == bytes.count else { throw Malformed() }
        return FlowPage(flow: flow, stepsTotal: stepsTotal, stepsFrom: stepsFrom, tracesTotal: tracesTotal, outline: outline)
    }

    mutating func outline() throws -> FlowOutline {
        var types: [String]?
        var steps: [FlowOutline.Step]?
        var adjustedSteps = 0
        var adjustedDeliveries = 0
        var uncertain = 0
        try object { reader, key in
            switch key {
            case "types": types = try reader.array { try $0.string() }
            case "adjusted_steps": adjustedSteps = try reader.integer()
            case "adjusted_deliveries": adjustedDeliveries = try reader.integer()
            case "uncertain": uncertain = try reader.integer()
            case "steps":
                steps = try reader.array { reader in
                    let numbers = try reader.array { try $0.integer() }
                    guard numbers.count == 4, let flags = UInt8(exactly: numbers[2]) else { throw Malformed() }
                    return FlowOutline.Step(type: numbers[0], cause: numbers[1], flags: .init(rawValue: flags), compensates: numbers[3])
                }
            default: try reader.skipValue()
            }
        }
        guard let types, let steps else { throw Malformed() }
        let count = steps.count
        for step in steps {
            guard types.indices.contains(step.type), (-1..<count).contains(step.cause), (-1..<count).contains(step.compensates) else {
                throw Malformed()
            }
        }
        return FlowOutline(types: types, steps: steps, adjustedSteps: adjustedSteps, adjustedDeliveries: adjustedDeliveries, uncertain: uncertain)
    }
}
