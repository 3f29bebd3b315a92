import ChoreoModel

/// How far each service's clock is off, for trying clock-skew correction (`--clock-skew`).
///
/// A service's skew is added to every time its spans record (start, end, events), as if the
/// service ran on a host whose clock is ahead (+) or behind (−) by that much. Only recorded
/// times move: the services' timers, the bus and the truth keep the real clock.
public struct ClockSkewSettings: Hashable, Sendable {
    /// The skew of each service (its clock minus the true time), nanoseconds.
    public var nanosByService: [String: Int64]

    /// The largest skew accepted either way: one day.
    public static let maximumNanos: Int64 = 86_400_000_000_000

    /// No skew at all.
    public static let none = ClockSkewSettings(nanosByService: [:])

    /// Creates settings from explicit skews.
    public init(nanosByService: [String: Int64]) {
        self.nanosByService = nanosByService
    }

    /// Parses `--clock-skew`: comma-separated `SERVICE=±DURATION` items, e.g.
    /// `payment=+1500ms,shipment=-2s` (a duration without a sign is ahead). A later item for
    /// the same service wins.
    ///
    /// - Throws: ``OrderFulfilmentError`` `invalidArgument` naming the bad item: an unknown
    ///   service, a missing or malformed duration, or a skew beyond one day.
    public init(parsing text: String) throws {
        var skews: [String: Int64] = [:]
        for item in text.split(separator: ",").map({ String($0.filter { $0 != " " }) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw OrderFulfilmentError(.invalidArgument, "clock skew '\(item)' must be SERVICE=±DURATION, e.g. payment=+1500ms")
            }
            let service = parts[0]
            guard OrderFulfilmentSystem.services.contains(service) else {
                throw OrderFulfilmentError(
                    .invalidArgument,
                    "clock skew '\(item)': no such service; use one of \(OrderFulfilmentSystem.services.joined(separator: ", "))"
                )
            }
            var amount = Substring(parts[1])
            var sign: Int64 = 1
            if let first = amount.first, first == "+" || first == "-" {
                sign = first == "-" ? -1 : 1
                amount = amount.dropFirst()
            }
            let nanos: Int64
            do {
                nanos = try DurationText.nanoseconds(String(amount))
            } catch {
                throw OrderFulfilmentError(.invalidArgument, "clock skew '\(item)': \(error.description)")
            }
            guard nanos <= Self.maximumNanos else {
                throw OrderFulfilmentError(.invalidArgument, "clock skew '\(item)' is more than one day")
            }
            skews[service] = sign * nanos
        }
        nanosByService = skews
    }

    /// True when no service is skewed.
    public var isEmpty: Bool { nanosByService.values.allSatisfy { $0 == 0 } }

    /// `span` as its service's skewed clock would have recorded it (`service.name` names the
    /// service); other spans unchanged.
    public func skewed(_ span: SpanRecord) -> SpanRecord {
        guard let skew = nanosByService[span.serviceName], skew != 0 else { return span }
        func move(_ time: UInt64) -> UInt64 {  // saturating at both ends
            if skew < 0 { return time >= skew.magnitude ? time - skew.magnitude : 0 }
            let (sum, overflow) = time.addingReportingOverflow(UInt64(skew))
            return overflow ? UInt64.max : sum
        }
        var moved = span
        moved.startTimeUnixNano = move(span.startTimeUnixNano)
        moved.endTimeUnixNano = move(span.endTimeUnixNano)
        for i in moved.events.indices { moved.events[i].timeUnixNano = move(span.events[i].timeUnixNano) }
        return moved
    }
}
