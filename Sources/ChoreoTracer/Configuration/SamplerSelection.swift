/// The sampler the tracer uses, as `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` name it.
///
/// The one place where sampler names are known: a new sampler adds a ``Root`` case, its name in
/// ``init(name:argument:)`` and its sampler in ``makeSampler()``.
public struct SamplerSelection: Hashable, Sendable, CustomStringConvertible {
    /// The sampler of root spans (and of every span when not ``parentBased``).
    public enum Root: Hashable, Sendable {
        case alwaysOn
        case alwaysOff
        /// Keeps this fraction (0...1) of traces, by trace id.
        case traceIDRatio(Double)
        /// `choreo_flow`: keeps this fraction (0...1) of flows, by correlation id (``FlowSampling``):
        /// every span is recorded, and a ``FlowSamplingProcessor`` decides when it ends.
        case choreoFlow(Double)
    }

    /// How root spans are sampled.
    public var root: Root
    /// True: a span with a parent follows the parent's `sampled` flag.
    public var parentBased: Bool

    /// `parentbased_always_on`, the OpenTelemetry default: every trace is sampled.
    public static let `default` = SamplerSelection(root: .alwaysOn, parentBased: true)

    /// A selection from its parts.
    public init(root: Root, parentBased: Bool) {
        self.root = root
        self.parentBased = parentBased
    }

    /// The names `OTEL_TRACES_SAMPLER` accepts.
    public static let names = [
        "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio",
        "choreo_flow",
    ]

    /// The selection `OTEL_TRACES_SAMPLER=name` and `OTEL_TRACES_SAMPLER_ARG=argument` ask for.
    ///
    /// The ratio samplers take their ratio from `argument` (a number from 0 to 1; 1 when unset);
    /// the others ignore it.
    /// - Throws: ``ChoreoTracerError`` (`invalid_configuration`) for an unknown name or a ratio
    ///   that is not a number from 0 to 1.
    public init(name: String, argument: String?) throws {
        let lowered = name.lowercased()
        let parentBased = lowered.hasPrefix("parentbased_")
        let rootName = parentBased ? String(lowered.dropFirst("parentbased_".count)) : lowered
        switch rootName {
        case "always_on": root = .alwaysOn
        case "always_off": root = .alwaysOff
        case "traceidratio": root = .traceIDRatio(try Self.ratio(argument))
        case "choreo_flow": root = .choreoFlow(try Self.ratio(argument))
        default:
            throw ChoreoTracerError.invalidConfiguration(
                "OTEL_TRACES_SAMPLER '\(name)' is not supported; use one of \(Self.names.joined(separator: ", "))"
            )
        }
        self.parentBased = parentBased
    }

    private static func ratio(_ argument: String?) throws -> Double {
        guard let argument else { return 1 }
        guard let ratio = Double(argument), ratio >= 0, ratio <= 1 else {
            throw ChoreoTracerError.invalidConfiguration(
                "OTEL_TRACES_SAMPLER_ARG '\(argument)' is not a sampling ratio; use a number from 0 to 1"
            )
        }
        return ratio
    }

    /// The sampler; nil for the default (``ChoreoTracer`` then samples roots and follows
    /// parents without asking a sampler).
    public func makeSampler() -> (any Sampler)? {
        if self == .default { return nil }
        let rootSampler: any Sampler
        switch root {
        case .alwaysOn: rootSampler = AlwaysOnSampler()
        case .alwaysOff: rootSampler = AlwaysOffSampler()
        case .traceIDRatio(let ratio): rootSampler = TraceIDRatioSampler(ratio: ratio)
        case .choreoFlow: rootSampler = AlwaysOnSampler()
        }
        return parentBased ? ParentBasedSampler(root: rootSampler) : rootSampler
    }

    /// The `OTEL_TRACES_SAMPLER` name (with the ratio, if any).
    public var description: String {
        let rootName: String
        switch root {
        case .alwaysOn: rootName = "always_on"
        case .alwaysOff: rootName = "always_off"
        case .traceIDRatio(let ratio): rootName = "traceidratio(\(ratio))"
        case .choreoFlow(let ratio): rootName = "choreo_flow(\(ratio))"
        }
        return parentBased ? "parentbased_" + rootName : rootName
    }
}
