/// The context propagators in use, as `OTEL_PROPAGATORS` names them.
public struct Propagators: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// W3C Trace Context: `traceparent` and `tracestate`.
    public static let traceContext = Propagators(rawValue: 1 << 0)
    /// W3C Baggage: the `baggage` header, carried from an extracted message or request to what
    /// the same context injects.
    public static let baggage = Propagators(rawValue: 1 << 1)

    /// `tracecontext,baggage`, the OpenTelemetry default.
    public static let `default`: Propagators = [.traceContext, .baggage]

    /// The propagators a comma-separated `OTEL_PROPAGATORS` value lists (`tracecontext`,
    /// `baggage`, `none`); duplicates are ignored.
    /// - Throws: ``ChoreoTracerError`` (`invalid_configuration`) for another name (`b3`,
    ///   `jaeger`...), or `none` with another name.
    public init(list: String) throws {
        var result: Propagators = []
        var none = false
        for raw in list.split(separator: ",") {
            let name = String(raw).trimmingSpacesAndTabs().lowercased()
            switch name {
            case "": continue
            case "tracecontext": result.insert(.traceContext)
            case "baggage": result.insert(.baggage)
            case "none": none = true
            default:
                throw ChoreoTracerError.invalidConfiguration(
                    "OTEL_PROPAGATORS '\(name)' is not supported; use tracecontext, baggage or none"
                )
            }
        }
        if none && !result.isEmpty {
            throw ChoreoTracerError.invalidConfiguration("OTEL_PROPAGATORS lists 'none' with other propagators ('\(list)')")
        }
        self = result
    }
}
