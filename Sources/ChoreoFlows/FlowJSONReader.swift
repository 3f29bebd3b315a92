import ChoreoModel

extension Flow {
    /// Reads a flow's JSON (the ``Flow`` `Codable` contract) straight from its bytes: the same
    /// flow `JSONDecoder` gives, in a fraction of the time and memory for a flow of 100,000
    /// steps. Unknown keys are skipped, as `JSONDecoder` skips them.
    ///
    /// Nil when the bytes are not such a flow (malformed JSON, a missing or mistyped field, an
    /// unknown status): decode with `JSONDecoder` then, for its precise error.
    public init?(jsonBytes: some Collection<UInt8>) {
        let decoded: Flow?? = jsonBytes.withContiguousStorageIfAvailable { buffer in
            var reader = FlowJSONReader(buffer)
            return try? reader.document()
        }
        let flow: Flow?
        if let decoded {
            flow = decoded
        } else {
            let copy = Array(jsonBytes)
            flow = copy.withUnsafeBufferPointer { buffer in
                var reader = FlowJSONReader(buffer)
                return try? reader.document()
            }
        }
        guard let flow else { return nil }
        self = flow
    }
}

/// A reader of the flow JSON contract over UTF-8 bytes: a small JSON tokenizer and the field
/// rules of ``Flow``'s `Codable` conformance (explicit `null` for absent optionals, RFC 3339
/// times, milliseconds as numbers, attempt times rebuilt from `duration_ms`).
struct FlowJSONReader {
    struct Malformed: Error {}

    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The whole document: one flow object, then only whitespace.
    mutating func document() throws -> Flow {
        let flow = try self.flow()
        skipSpace()
        guard at == bytes.count else { throw Malformed() }
        return flow
    }

    // MARK: - The contract

    /// One flow object; `extra` reads a key the flow does not know and says whether it did
    /// (otherwise the value is skipped).
    mutating func flow(extra: (inout FlowJSONReader, String) throws -> Bool = { _, _ in false }) throws -> Flow {
        var correlationID: String?
        var status: FlowStatus?
        var outcome: String?
        var traceIDs: [TraceID] = []
        var startedAt: UInt64?
        var endedAt: UInt64?
        var steps: [FlowStep] = []
        var waitingFor: String?
        var gaps = 0
        var findings = FlowFindings()
        var rawStartedAt: UInt64?
        var rawEndedAt: UInt64?
        try object { reader, key in
            switch key {
            case "correlation_id": correlationID = try reader.string()
            case "status": status = FlowStatus(rawValue: try reader.string())
            case "outcome": outcome = try reader.optionalString()
            case "trace_ids": traceIDs = try reader.optional { try $0.array { try $0.traceID() } } ?? []
            case "started_at": startedAt = try reader.time()
            case "ended_at": endedAt = try reader.time()
            case "waiting_for": waitingFor = try reader.optionalString()
            case "gaps": gaps = try reader.optional { try $0.integer() } ?? 0
            case "steps": steps = try reader.optional { try $0.array { try $0.step() } } ?? []
            case "unconsumed": findings.unconsumed = try reader.optionalStrings()
            case "dead_lettered": findings.deadLettered = try reader.optionalStrings()
            case "duplicates_ignored": findings.duplicatesIgnored = try reader.optional { try $0.integer() } ?? 0
            case "gap_ids": findings.gapIDs = try reader.optionalStrings()
            case "unseen_deliveries": findings.unseenDeliveries = try reader.optionalStrings()
            case "unseen_retries": findings.unseenRetries = try reader.optionalStrings()
            case "uncompensated": findings.uncompensated = try reader.optionalStrings()
            case "deviations": findings.deviations = try reader.optional { try $0.array { try $0.deviation() } } ?? []
            case "raw_started_at": rawStartedAt = try reader.optional { try $0.time() }
            case "raw_ended_at": rawEndedAt = try reader.optional { try $0.time() }
            default: if try !extra(&reader, key) { try reader.skipValue() }
            }
        }
        guard let correlationID, let status, let startedAt, let endedAt else { throw Malformed() }
        return Flow(
            correlationID: correlationID, status: status, outcome: outcome, traceIDs: traceIDs, startedAtUnixNano: startedAt,
            endedAtUnixNano: endedAt, steps: steps, waitingFor: waitingFor, gaps: gaps, findings: findings,
            rawStartedAtUnixNano: rawStartedAt, rawEndedAtUnixNano: rawEndedAt)
    }

    mutating func step() throws -> FlowStep {
        var messageID: String?
        var type: String?
        var source: String?
        var causationID: String?
        var compensates: String?
        var publishedAt: UInt64?
        var topic: String?
        var traceID: TraceID?
        var spanID: SpanID?
        var deliveries: [FlowDelivery] = []
        var compensation: CompensationSource?
        var compensatedBy: String?
        var adjustedBy: Int64 = 0
        var timeUncertain = false
        try object { reader, key in
            switch key {
            case "message_id": messageID = try reader.string()
            case "type": type = try reader.string()
            case "source": source = try reader.string()
            case "causation_id": causationID = try reader.optionalString()
            case "compensates": compensates = try reader.optionalString()
            case "published_at": publishedAt = try reader.time()
            case "topic": topic = try reader.optionalString()
            case "trace_id": traceID = try reader.optional { try $0.traceID() }
            case "span_id": spanID = try reader.optional { try $0.spanID() }
            case "deliveries": deliveries = try reader.optional { try $0.array { try $0.delivery() } } ?? []
            case "compensation":
                compensation = try reader.optional { reader in
                    guard let source = CompensationSource(rawValue: try reader.string()) else { throw Malformed() }
                    return source
                }
            case "compensated_by": compensatedBy = try reader.optionalString()
            case "adjusted_by_ms": adjustedBy = try reader.signedMilliseconds()
            case "time_uncertain": timeUncertain = try reader.optional { try $0.boolean() } ?? false
            default: try reader.skipValue()
            }
        }
        guard let messageID, let type, let source, let publishedAt else { throw Malformed() }
        return FlowStep(
            messageID: messageID, type: type, source: source, causationID: causationID, compensates: compensates,
            publishedAtUnixNano: publishedAt, topic: topic, traceID: traceID, spanID: spanID, deliveries: deliveries,
            compensation: compensation, compensatedBy: compensatedBy, adjustedByNanos: adjustedBy, timeUncertain: timeUncertain)
    }

    mutating func delivery() throws -> FlowDelivery {
        var consumer: String?
        var attempts: Int?
        var outcome: DeliveryOutcome?
        var error: String?
        var startedAt: UInt64?
        var endedAt: UInt64?
        var failedAttempts = 0
        var service: String?
        var queue: UInt64?
        var handling: UInt64 = 0
        var attemptLog: [FlowAttempt] = []
        var adjustedBy: Int64 = 0
        var timeUncertain = false
        try object { reader, key in
            switch key {
            case "consumer": consumer = try reader.string()
            case "attempts": attempts = try reader.integer()
            case "outcome": outcome = try reader.outcome()
            case "error": error = try reader.optionalString()
            case "started_at": startedAt = try reader.time()
            case "ended_at": endedAt = try reader.time()
            case "failed_attempts": failedAttempts = try reader.optional { try $0.integer() } ?? 0
            case "service": service = try reader.optionalString()
            case "queue_ms": queue = try reader.optional { Milliseconds.nanos(try $0.double()) }
            case "handling_ms": handling = try reader.optional { Milliseconds.nanos(try $0.double()) } ?? 0
            case "attempt_log": attemptLog = try reader.optional { try $0.array { try $0.attempt() } } ?? []
            case "adjusted_by_ms": adjustedBy = try reader.signedMilliseconds()
            case "time_uncertain": timeUncertain = try reader.optional { try $0.boolean() } ?? false
            default: try reader.skipValue()
            }
        }
        guard let consumer, let attempts, let outcome, let startedAt, let endedAt else { throw Malformed() }
        return FlowDelivery(
            consumer: consumer, attempts: attempts, outcome: outcome, error: error, firstStartedAtUnixNano: startedAt,
            lastEndedAtUnixNano: endedAt, failedAttempts: failedAttempts, service: service, queueTimeNanos: queue,
            handlingTimeNanos: handling, attemptLog: attemptLog, adjustedByNanos: adjustedBy, timeUncertain: timeUncertain)
    }

    /// An attempt as its `Codable` init reads it: the times rebuilt as the latest pair within
    /// their milliseconds that is exactly `duration_ms` apart.
    mutating func attempt() throws -> FlowAttempt {
        var number: Int?
        var startedAt: UInt64?
        var endedAt: UInt64?
        var duration: Double?
        var outcome: DeliveryOutcome?
        var error: String?
        try object { reader, key in
            switch key {
            case "attempt": number = try reader.integer()
            case "started_at": startedAt = try reader.time()
            case "ended_at": endedAt = try reader.time()
            case "duration_ms": duration = try reader.optional { try $0.double() }
            case "outcome": outcome = try reader.outcome()
            case "error": error = try reader.optionalString()
            default: try reader.skipValue()
            }
        }
        guard let number, var started = startedAt, var ended = endedAt, let outcome else { throw Malformed() }
        if let duration {
            guard let nanos = Milliseconds.checkedNanos(duration) else { throw Malformed() }
            let (earliestEnd, overflow) = started.addingReportingOverflow(nanos)
            if !overflow {
                ended = max(ended, earliestEnd)
                started = ended - nanos
            }
        }
        return FlowAttempt(attempt: number, startedAtUnixNano: started, endedAtUnixNano: ended, outcome: outcome, error: error)
    }

    mutating func deviation() throws -> FlowDeviation {
        var kind: FlowDeviation.Kind?
        var type: String?
        var messageID: String?
        var detail: String?
        try object { reader, key in
            switch key {
            case "kind": kind = FlowDeviation.Kind(rawValue: try reader.string())
            case "type": type = try reader.string()
            case "message_id": messageID = try reader.optionalString()
            case "detail": detail = try reader.string()
            default: try reader.skipValue()
            }
        }
        guard let kind, let type, let detail else { throw Malformed() }
        return FlowDeviation(kind: kind, type: type, messageID: messageID, detail: detail)
    }

    mutating func outcome() throws -> DeliveryOutcome {
        guard let outcome = DeliveryOutcome(rawValue: try string()) else { throw Malformed() }
        return outcome
    }

    mutating func time() throws -> UInt64 {
        guard let nanos = UnixTime.parseRFC3339(try string()) else { throw Malformed() }
        return nanos
    }

    /// `adjusted_by_ms`: absent or null is 0.
    mutating func signedMilliseconds() throws -> Int64 {
        guard let ms = try optional({ try $0.double() }) else { return 0 }
        guard let nanos = Milliseconds.signedNanos(ms) else { throw Malformed() }
        return nanos
    }

    mutating func traceID() throws -> TraceID {
        if let high = try hexString(count: 32, from: 0), let low = try hexString(count: 32, from: 16) {
            at += 34
            return TraceID(high: high, low: low)
        }
        guard let id = TraceID(hex: try string()) else { throw Malformed() }
        return id
    }

    mutating func spanID() throws -> SpanID {
        if let value = try hexString(count: 16, from: 0) {
            at += 18
            return SpanID(value)
        }
        guard let id = SpanID(hex: try string()) else { throw Malformed() }
        return id
    }

    /// The 16 hex digits at `offset` in a string of exactly `count` plain hex digits starting
    /// at the next value (not consumed); nil when the next value is anything else.
    private mutating func hexString(count: Int, from offset: Int) throws -> UInt64? {
        guard try peek() == 0x22, at + count + 1 < bytes.count, bytes[at + count + 1] == 0x22 else { return nil }
        var value: UInt64 = 0
        for i in (at + 1 + offset)..<(at + 1 + offset + 16) {
            let b = bytes[i]
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x41...0x46: digit = b - 0x41 + 10
            case 0x61...0x66: digit = b - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    mutating func optionalString() throws -> String? { try optional { try $0.string() } }

    mutating func optionalStrings() throws -> [String] { try optional { try $0.array { try $0.string() } } ?? [] }

    // MARK: - JSON

    mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x0A, 0x0D, 0x09: at += 1
            default: return
            }
        }
    }

    /// The next byte after whitespace (not consumed).
    mutating func peek() throws -> UInt8 {
        skipSpace()
        guard at < bytes.count else { throw Malformed() }
        return bytes[at]
    }

    mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else { throw Malformed() }
        at += 1
    }

    /// `null` (consumed: nil), else the value `read` reads.
    mutating func optional<T>(_ read: (inout FlowJSONReader) throws -> T) throws -> T? {
        if try peek() == 0x6E {
            try literal("null")
            return nil
        }
        return try read(&self)
    }

    mutating func literal(_ text: StaticString) throws {
        let count = text.utf8CodeUnitCount
        guard at + count <= bytes.count else { throw Malformed() }
        let matches = text.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[at + $0] == expected[$0] }
        }
        guard matches else { throw Malformed() }
        at += count
    }

    mutating func boolean() throws -> Bool {
        switch try peek() {
        case 0x74:
            try literal("true")
            return true
        case 0x66:
            try literal("false")
            return false
        default: throw Malformed()
        }
    }

    /// An object, calling `member` with each key (the reader placed at its value, which
    /// `member` must read or skip). A repeated key: the last value wins, as in `JSONDecoder`.
    mutating func object(_ member: (inout FlowJSONReader, String) throws -> Void) throws {
        try expect(0x7B)
        if try peek() == 0x7D {
            at += 1
            return
        }
        while true {
            let key = try string()
            try expect(0x3A)
            try member(&self, key)
            switch try peek() {
            case 0x2C: at += 1
            case 0x7D:
                at += 1
                return
            default: throw Malformed()
            }
        }
    }

    mutating func array<T>(_ element: (inout FlowJSONReader) throws -> T) throws -> [T] {
        try expect(0x5B)
        var result: [T] = []
        if try peek() == 0x5D {
            at += 1
            return result
        }
        while true {
            result.append(try element(&self))
            switch try peek() {
            case 0x2C: at += 1
            case 0x5D:
                at += 1
                return result
            default: throw Malformed()
            }
        }
    }

    /// A JSON string, escapes resolved (a lone surrogate is malformed, as `JSONDecoder` says).
    mutating func string() throws -> String {
        try expect(0x22)
        let start = at
        // Fast path: no escape before the closing quote.
        while at < bytes.count {
            let b = bytes[at]
            if b == 0x22 {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
                at += 1
                return text
            }
            if b == 0x5C { break }
            if b < 0x20 { throw Malformed() }
            at += 1
        }
        var utf8 = Array(bytes[start..<at])
        while at < bytes.count {
            let b = bytes[at]
            at += 1
            switch b {
            case 0x22: return String(decoding: utf8, as: UTF8.self)
            case 0x5C:
                guard at < bytes.count else { throw Malformed() }
                let e = bytes[at]
                at += 1
                switch e {
                case 0x22, 0x5C, 0x2F: utf8.append(e)
                case 0x62: utf8.append(0x08)
                case 0x66: utf8.append(0x0C)
                case 0x6E: utf8.append(0x0A)
                case 0x72: utf8.append(0x0D)
                case 0x74: utf8.append(0x09)
                case 0x75:
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard at + 1 < bytes.count, bytes[at] == 0x5C, bytes[at + 1] == 0x75 else { throw Malformed() }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw Malformed() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw Malformed()
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw Malformed() }
                    utf8.append(contentsOf: String(Character(unicode)).utf8)
                default: throw Malformed()
                }
            default:
                if b < 0x20 { throw Malformed() }
                utf8.append(b)
            }
        }
        throw Malformed()
    }

    private mutating func hex4() throws -> UInt32 {
        guard at + 4 <= bytes.count else { throw Malformed() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[at]
            at += 1
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x41...0x46: digit = b - 0x41 + 10
            case 0x61...0x66: digit = b - 0x61 + 10
            default: throw Malformed()
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The text of a JSON number (validated by the parse of its caller).
    private mutating func numberText() throws -> Substring {
        skipSpace()
        let start = at
        while at < bytes.count {
            switch bytes[at] {
            case 0x30...0x39, 0x2D, 0x2B, 0x2E, 0x65, 0x45: at += 1
            default:
                guard at > start else { throw Malformed() }
                return Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self))
            }
        }
        guard at > start else { throw Malformed() }
        return Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self))
    }

    /// An integer: JSON's integer grammar only (no fraction or exponent), as `Int` decodes.
    mutating func integer() throws -> Int {
        let text = try numberText()
        guard Self.isJSONNumber(text.utf8), let value = Int(text) else { throw Malformed() }
        return value
    }

    mutating func double() throws -> Double {
        let text = try numberText()
        guard Self.isJSONNumber(text.utf8), let value = Double(text), value.isFinite else { throw Malformed() }
        return value
    }

    /// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    static func isJSONNumber(_ utf8: Substring.UTF8View) -> Bool {
        var i = utf8.startIndex
        func digit() -> Bool { i < utf8.endIndex && (0x30...0x39).contains(utf8[i]) }
        if i < utf8.endIndex, utf8[i] == 0x2D { i = utf8.index(after: i) }
        guard digit() else { return false }
        if utf8[i] == 0x30 {
            i = utf8.index(after: i)
        } else {
            while digit() { i = utf8.index(after: i) }
        }
        if i < utf8.endIndex, utf8[i] == 0x2E {
            i = utf8.index(after: i)
            guard digit() else { return false }
            while digit() { i = utf8.index(after: i) }
        }
        if i < utf8.endIndex, utf8[i] == 0x65 || utf8[i] == 0x45 {
            i = utf8.index(after: i)
            if i < utf8.endIndex, utf8[i] == 0x2B || utf8[i] == 0x2D { i = utf8.index(after: i) }
            guard digit() else { return false }
            while digit() { i = utf8.index(after: i) }
        }
        return i == utf8.endIndex
    }

    /// Skips any value, nested to any depth without recursion.
    mutating func skipValue() throws {
        var open: [UInt8] = []  // the containers entered: `{` or `[`
        while true {
            switch try peek() {
            case 0x7B:
                at += 1
                if try peek() == 0x7D {
                    at += 1
                } else {
                    open.append(0x7B)
                    _ = try string()
                    try expect(0x3A)
                    continue
                }
            case 0x5B:
                at += 1
                if try peek() == 0x5D {
                    at += 1
                } else {
                    open.append(0x5B)
                    continue
                }
            case 0x22: _ = try string()
            case 0x74: try literal("true")
            case 0x66: try literal("false")
            case 0x6E: try literal("null")
            default:
                guard Self.isJSONNumber(try numberText().utf8) else { throw Malformed() }
            }
            // A value ended: close what it ends, or move on to the next member or element.
            while let container = open.last {
                let b = try peek()
                if b == 0x2C {
                    at += 1
                    if container == 0x7B {
                        _ = try string()
                        try expect(0x3A)
                    }
                    break
                }
                guard b == container + 2 else { throw Malformed() }  // `}` is `{` + 2, `]` is `[` + 2
                at += 1
                open.removeLast()
            }
            if open.isEmpty { return }
        }
    }
}
