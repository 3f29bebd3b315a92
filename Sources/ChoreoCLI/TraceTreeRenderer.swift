import ChoreoModel

/// Renders one trace as `choreo traces get` prints it: its spans as a tree by parent span id.
///
/// Each span shows its name, service, kind, duration and status, with the key messaging
/// attributes (destination, message id, correlation id, event type, delivery attempt and
/// outcome, error type) on a second line. Spans whose parent is absent from the trace (orphans,
/// e.g. the parent's spans were lost or are still in transit) start a tree of their own, marked
/// with the missing parent's id. Pure: takes spans, returns text.
public struct TraceTreeRenderer: Sendable {
    /// Colours (off unless stdout is a terminal).
    public var palette: Palette

    /// A renderer that colours with `palette`.
    public init(palette: Palette = .plain) {
        self.palette = palette
    }

    /// The attributes shown under a span, in this order, when present.
    public static let keyAttributes = [
        MessagingKey.destinationName, MessagingKey.messageID, MessagingKey.conversationID,
        ChoreoKey.eventType, ChoreoKey.causationID, ChoreoKey.compensates,
        MessagingKey.consumerGroup, ChoreoKey.deliveryAttempt, ChoreoKey.deliveryOutcome,
        MessagingKey.errorType,
    ]

    /// A header line, then the span forest, newline-terminated.
    public func render(traceID: TraceID, spans: [SpanRecord]) -> String {
        var lines = [palette.paint("Trace \(traceID.hex)", .bold) + "  " + summary(spans)]
        lines.append("")
        if spans.isEmpty {
            lines.append("no spans recorded")
        } else {
            lines += SpanForest(spans: spans).lines { span, orphanParent in
                self.spanLines(span, orphanParent: orphanParent)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func summary(_ spans: [SpanRecord]) -> String {
        guard let start = spans.map(\.startTimeUnixNano).min(),
            let end = spans.map(\.endTimeUnixNano).max()
        else { return "" }
        let services = Set(spans.map(\.serviceName)).count
        let noun = spans.count == 1 ? "span" : "spans"
        return "\(spans.count) \(noun), \(services) service\(services == 1 ? "" : "s"), "
            + DurationFormat.between(start, end) + ", started " + UnixTime.rfc3339(start)
    }

    /// The span's own line and, when it has any, a line of key attributes.
    func spanLines(_ span: SpanRecord, orphanParent: SpanID?) -> [String] {
        var head =
            palette.paint(span.name, .bold) + "  [\(span.serviceName)]  \(span.kind.rawValue)  "
            + DurationFormat.between(span.startTimeUnixNano, span.endTimeUnixNano)
        switch span.statusCode {
        case .error:
            head += "  " + palette.paint("ERROR" + (span.statusMessage.map { ": \($0)" } ?? ""), .red)
        case .ok:
            head += "  " + palette.paint("OK", .green)
        case .unset:
            break
        }
        if let orphanParent {
            head += "  " + palette.paint("(parent \(orphanParent.hex) not in trace)", .yellow)
        }
        let attributes = Self.keyAttributes.compactMap { key in
            span.attributes[key].map { "\(key)=\($0.displayString)" }
        }
        guard !attributes.isEmpty else { return [head] }
        return [head, palette.paint(attributes.joined(separator: " "), .dim)]
    }
}
