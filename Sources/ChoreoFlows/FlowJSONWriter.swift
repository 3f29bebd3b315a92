import ChoreoModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Flow {
    /// The flow's JSON (``Flow`` `Codable` contract) written straight into one byte buffer: the
    /// same bytes as `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` gives, without
    /// its boxing of every value, so a flow of 100,000 steps encodes in a fraction of the time.
    ///
    /// With `page`, `steps` holds only the steps `from ..< from + limit` (clamped to the flow)
    /// and the keys `steps_from` and `steps_total` say where they sit; the header, findings and
    /// counts still cover the whole flow. Only the steps shown are encoded.
    public func jsonBytes(page: (from: Int, limit: Int?)? = nil) -> [UInt8] {
        jsonBytes(page: page.map { FlowPageRequest(steps: .range(from: $0.from, limit: $0.limit), tracesLimit: nil) })
    }

    /// The flow's JSON as a page answers it (``FlowPageRequest``): the steps asked for, the trace
    /// ids asked for and the outline when asked; the whole flow's JSON when `page` is nil.
    public func jsonBytes(page: FlowPageRequest?) -> [UInt8] {
        var w = FlowJSONWriter()
        w.write(self, page: page)
        return w.bytes
    }
}

/// Writes flows as JSON in the byte layout of `JSONEncoder` with sorted keys and unescaped
/// slashes: keys in byte order, no spaces, `null` for absent optionals, doubles as Swift prints
/// them (without a trailing `.0`), control characters escaped as `JSONEncoder` escapes them.
struct FlowJSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    mutating func write(_ flow: Flow, page: FlowPageRequest?) {
        let total = flow.steps.count
        var shown: [Int] = []
        var range = 0..<total
        var rangeStart: Int?
        switch page?.steps {
        case nil: break
        case .range(let from, let limit):
            let start = min(max(from, 0), total)
            let end = limit.map { start + min(max($0, 0), total - start) } ?? total
            range = start..<end
            rangeStart = start
        case .at(let indexes):
            range = 0..<0
            shown = indexes.filter { $0 >= 0 && $0 < total }
        }
        let traceTotal = flow.traceIDs.count
        var traces = 0..<traceTotal
        let limitsTraces = page.map { $0.tracesLimit != nil || $0.tracesFrom > 0 } ?? false
        if let page, limitsTraces {
            let start = min(max(page.tracesFrom, 0), traceTotal)
            let end = page.tracesLimit.map { start + min(max($0, 0), traceTotal - start) } ?? traceTotal
            traces = start..<end
        }
        bytes.reserveCapacity(bytes.count + 1024 + (range.count + shown.count) * 900 + traces.count * 35)
        // Keys in byte order, as JSONEncoder's .sortedKeys writes them.
        raw("{\"correlation_id\":")
        string(flow.correlationID)
        raw(",\"dead_lettered\":")
        strings(flow.findings.deadLettered)
        raw(",\"deviations\":[")
        for (i, deviation) in flow.findings.deviations.enumerated() {
            if i > 0 { byte(0x2C) }
            write(deviation)
        }
        raw("],\"duplicates_ignored\":")
        integer(flow.findings.duplicatesIgnored)
        raw(",\"ended_at\":")
        time(flow.endedAtUnixNano)
        raw(",\"gap_ids\":")
        strings(flow.findings.gapIDs)
        raw(",\"gaps\":")
        integer(flow.gaps)
        raw(",\"outcome\":")
        optionalString(flow.outcome)
        if page?.outline == true {
            raw(",\"outline\":")
            write(FlowOutline(flow))
        }
        raw(",\"raw_ended_at\":")
        time(flow.rawEndedAtUnixNano)
        raw(",\"raw_started_at\":")
        time(flow.rawStartedAtUnixNano)
        raw(",\"started_at\":")
        time(flow.startedAtUnixNano)
        raw(",\"status\":")
        string(flow.status.rawValue)
        raw(",\"steps\":[")
        var first = true
        for index in range {
            if !first { byte(0x2C) }
            first = false
            write(flow.steps[index])
        }
        for index in shown {
            if !first { byte(0x2C) }
            first = false
            write(flow.steps[index])
        }
        byte(0x5D)
        if let rangeStart {
            raw(",\"steps_from\":")
            integer(rangeStart)
        }
        if page != nil {
            raw(",\"steps_total\":")
            integer(total)
        }
        raw(",\"trace_ids\":[")
        for i in traces {
            if i > traces.lowerBound { byte(0x2C) }
            traceID(flow.traceIDs[i])
        }
        byte(0x5D)
        if limitsTraces {
            raw(",\"traces_from\":")
            integer(traces.lowerBound)
            raw(",\"traces_total\":")
            integer(traceTotal)
        }
        raw(",\"uncompensated\":")
        strings(flow.findings.uncompensated)
        raw(",\"unconsumed\":")
        strings(flow.findings.unconsumed)
        raw(",\"unseen_deliveries\":")
        strings(flow.findings.unseenDeliveries)
        raw(",\"unseen_retries\":")
        strings(flow.findings.unseenRetries)
        raw(",\"waiting_for\":")
        optionalString(flow.waitingFor)
        byte(0x7D)
    }

    mutating func write(_ outline: FlowOutline) {
        raw("{\"adjusted_deliveries\":")
        integer(outline.adjustedDeliveries)
        raw(",\"adjusted_steps\":")
        integer(outline.adjustedSteps)
        raw(",\"steps\":[")
        for (i, step) in outline.steps.enumerated() {
            if i > 0 { byte(0x2C) }
            byte(0x5B)
            integer(step.type)
            byte(0x2C)
            integer(step.cause)
            byte(0x2C)
            integer(Int(step.flags.rawValue))
            byte(0x2C)
            integer(step.compensates)
            byte(0x5D)
        }
        raw("],\"types\":")
        strings(outline.types)
        raw(",\"uncertain\":")
        integer(outline.uncertain)
        byte(0x7D)
    }

    mutating func write(_ step: FlowStep) {
        raw("{\"adjusted_by_ms\":")
        double(Milliseconds.signedValue(step.adjustedByNanos))
        raw(",\"causation_id\":")
        optionalString(step.causationID)
        raw(",\"compensated_by\":")
        optionalString(step.compensatedBy)
        raw(",\"compensates\":")
        optionalString(step.compensates)
        raw(",\"compensation\":")
        optionalString(step.compensation?.rawValue)
        raw(",\"deliveries\":[")
        for (i, delivery) in step.deliveries.enumerated() {
            if i > 0 { byte(0x2C) }
            write(delivery)
        }
        raw("],\"message_id\":")
        string(step.messageID)
        raw(",\"published_at\":")
        time(step.publishedAtUnixNano)
        raw(",\"raw_published_at\":")
        time(step.rawPublishedAtUnixNano)
        raw(",\"source\":")
        string(step.source)
        raw(",\"span_id\":")
        if let span = step.spanID { spanID(span) } else { raw("null") }
        raw(",\"time_uncertain\":")
        boolean(step.timeUncertain)
        raw(",\"topic\":")
        optionalString(step.topic)
        raw(",\"trace_id\":")
        if let trace = step.traceID { traceID(trace) } else { raw("null") }
        raw(",\"type\":")
        string(step.type)
        byte(0x7D)
    }

    mutating func write(_ delivery: FlowDelivery) {
        raw("{\"adjusted_by_ms\":")
        double(Milliseconds.signedValue(delivery.adjustedByNanos))
        raw(",\"attempt_log\":[")
        for (i, attempt) in delivery.attemptLog.enumerated() {
            if i > 0 { byte(0x2C) }
            write(attempt)
        }
        raw("],\"attempts\":")
        integer(delivery.attempts)
        raw(",\"consumer\":")
        string(delivery.consumer)
        raw(",\"ended_at\":")
        time(delivery.lastEndedAtUnixNano)
        raw(",\"error\":")
        optionalString(delivery.error)
        raw(",\"failed_attempts\":")
        integer(delivery.failedAttempts)
        raw(",\"handling_ms\":")
        double(Milliseconds.value(delivery.handlingTimeNanos))
        raw(",\"outcome\":")
        string(delivery.outcome.rawValue)
        raw(",\"queue_ms\":")
        if let queue = delivery.queueTimeNanos { double(Milliseconds.value(queue)) } else { raw("null") }
        raw(",\"raw_ended_at\":")
        time(delivery.rawLastEndedAtUnixNano)
        raw(",\"raw_started_at\":")
        time(delivery.rawFirstStartedAtUnixNano)
        raw(",\"service\":")
        optionalString(delivery.service)
        raw(",\"started_at\":")
        time(delivery.firstStartedAtUnixNano)
        raw(",\"time_uncertain\":")
        boolean(delivery.timeUncertain)
        byte(0x7D)
    }

    mutating func write(_ attempt: FlowAttempt) {
        raw("{\"attempt\":")
        integer(attempt.attempt)
        raw(",\"duration_ms\":")
        let (start, end) = (attempt.startedAtUnixNano, attempt.endedAtUnixNano)
        double(Milliseconds.value(end > start ? end - start : 0))
        raw(",\"ended_at\":")
        time(end)
        raw(",\"error\":")
        optionalString(attempt.error)
        raw(",\"outcome\":")
        string(attempt.outcome.rawValue)
        raw(",\"started_at\":")
        time(start)
        byte(0x7D)
    }

    /// A deviation as its synthesized `Codable` writes it: `message_id` left out when nil.
    mutating func write(_ deviation: FlowDeviation) {
        raw("{\"detail\":")
        string(deviation.detail)
        raw(",\"kind\":")
        string(deviation.kind.rawValue)
        if let message = deviation.messageID {
            raw(",\"message_id\":")
            string(message)
        }
        raw(",\"type\":")
        string(deviation.type)
        byte(0x7D)
    }

    // MARK: - Values

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    /// ASCII text written as is (keys and punctuation).
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func boolean(_ value: Bool) { value ? raw("true") : raw("false") }

    mutating func integer(_ value: Int) {
        if value < 0 {
            byte(0x2D)
            unsigned(value.magnitude)
        } else {
            unsigned(UInt(value))
        }
    }

    mutating func unsigned(_ value: UInt) {
        if value < 10 {
            byte(0x30 + UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: UInt's 20 digits fit
        withUnsafeMutableBytes(of: &digits) { buffer in
            var v = value
            var i = buffer.count
            while v > 0 {
                i -= 1
                buffer[i] = 0x30 + UInt8(v % 10)
                v /= 10
            }
            bytes.append(contentsOf: buffer[i...])
        }
    }

    /// A double as JSONEncoder writes one: Swift's shortest description, `.0` dropped.
    mutating func double(_ value: Double) {
        if value == value.rounded(), abs(value) < 1e15, !(value == 0 && value.sign == .minus) {
            integer(Int(value))  // "12.0" -> "12"
            return
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    mutating func strings(_ values: [String]) {
        byte(0x5B)
        for (i, value) in values.enumerated() {
            if i > 0 { byte(0x2C) }
            string(value)
        }
        byte(0x5D)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, `\r`, `\b`, `\f`
    /// or `\u00xx`; everything else (slashes, non-ASCII) as UTF-8.
    mutating func string(_ value: String) {
        byte(0x22)
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                start = i + 1
                switch b {
                case 0x22: raw("\\\"")
                case 0x5C: raw("\\\\")
                case 0x0A: raw("\\n")
                case 0x09: raw("\\t")
                case 0x0D: raw("\\r")
                case 0x08: raw("\\b")
                case 0x0C: raw("\\f")
                default:
                    raw("\\u00")
                    byte(Self.hexDigits[Int(b >> 4)])
                    byte(Self.hexDigits[Int(b & 0xF)])
                }
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        byte(0x22)
    }

    mutating func hex(_ value: UInt64) {
        for i in 0..<16 {
            byte(Self.hexDigits[Int((value >> (60 - 4 * UInt64(i))) & 0xF)])
        }
    }

    mutating func traceID(_ id: TraceID) {
        byte(0x22)
        hex(id.high)
        hex(id.low)
        byte(0x22)
    }

    mutating func spanID(_ id: SpanID) {
        byte(0x22)
        hex(id.value)
        byte(0x22)
    }

    /// The date and time of the last second written (`"YYYY-MM-DDThh:mm:ss.`): the times of a
    /// flow mostly share their second with the previous one.
    private var lastSecond: UInt64 = .max
    private var lastPrefix: [UInt8] = []

    /// ``UnixTime/rfc3339(_:)`` as a JSON string, without building the string.
    mutating func time(_ nanos: UInt64) {
        let second = nanos / 1_000_000_000
        if second != lastSecond {
            let mark = bytes.count
            var seconds = time_t(second)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            byte(0x22)
            padded(Int(parts.tm_year) + 1900, 4)
            byte(0x2D)
            padded(Int(parts.tm_mon) + 1, 2)
            byte(0x2D)
            padded(Int(parts.tm_mday), 2)
            byte(0x54)
            padded(Int(parts.tm_hour), 2)
            byte(0x3A)
            padded(Int(parts.tm_min), 2)
            byte(0x3A)
            padded(Int(parts.tm_sec), 2)
            byte(0x2E)
            lastPrefix = Array(bytes[mark...])
            lastSecond = second
        } else {
            bytes.append(contentsOf: lastPrefix)
        }
        padded(Int(nanos / 1_000_000 % 1000), 3)
        raw("Z\"")
    }

    /// `value` with at least `width` digits, zeros in front (as `UnixTime.rfc3339` pads).
    private mutating func padded(_ value: Int, _ width: Int) {
        var digits = 1
        var v = value
        while v >= 10 {
            v /= 10
            digits += 1
        }
        for _ in digits..<max(width, digits) { byte(0x30) }
        unsigned(UInt(value))
    }
}
