import ChoreoFlows
import Foundation

/// How flows are judged — terminal types, the fixed and learned stuck limits, the flow
/// definition — as the collector records it in the store for every reader of the store.
///
/// The flow index is built with these settings; a flow rebuilt from its spans by the query API
/// or by `choreo --db` uses the same ones, so both report the same status for the same flow.
/// The collector records them at start-up and again whenever the learned limits change, or the
/// learned clock offsets move (``ClockOffsets``; judging recorded before they existed has none).
public struct FlowJudging: Codable, Sendable, Hashable {
    public var stuckAfterNanos: UInt64
    public var terminalTypes: [String]
    public var learnedLimits: LearnedLimits?
    public var definition: Definition?
    /// Clock offsets learned across flows, by clock source (``ClockOffset``, in nanoseconds so
    /// they read back exactly); nil when none were learned.
    public var clockOffsets: [String: Offset]?
    /// The attribute that names a message's type after `choreo.event_type` and
    /// `cloudevents.event_type` (the collector's `--type-attribute`); nil when none is set.
    public var typeAttribute: String?

    /// One source's learned clock offset (``ClockOffset``) in a stable JSON form.
    public struct Offset: Codable, Sendable, Hashable {
        public var offsetNanos: Int64
        public var reference: String
        public var lowerNanos: Int64?
        public var upperNanos: Int64?
        public var hops: Int
        public var uncertain: Bool
    }

    /// Stuck limits learned from history (``StuckLimits``).
    public struct LearnedLimits: Codable, Sendable, Hashable {
        public var perTypeNanos: [String: UInt64]
        public var fallbackNanos: UInt64
    }

    /// A flow definition (``FlowDefinition``) in a stable JSON form.
    public struct Definition: Codable, Sendable, Hashable {
        public var name: String?
        public var start: [String]
        public var terminal: [String]
        public var compensations: [String: String]
        public var transitions: [Transition]

        public struct Transition: Codable, Sendable, Hashable {
            public var from: String
            public var to: String
            public var withinNanos: UInt64?
        }
    }

    /// The judging of `options` (their learned limits included).
    public init(_ options: FlowOptions) {
        stuckAfterNanos = options.stuckAfterNanos
        terminalTypes = options.terminalTypes.sorted()
        learnedLimits = options.stuckLimits.map { LearnedLimits(perTypeNanos: $0.perTypeNanos, fallbackNanos: $0.fallbackNanos) }
        definition = options.definition.map { d in
            Definition(
                name: d.name, start: d.start, terminal: d.terminal, compensations: d.compensations,
                transitions: d.transitions.map { Definition.Transition(from: $0.from, to: $0.to, withinNanos: $0.withinNanos) }
            )
        }
        typeAttribute = options.typeAttribute
        clockOffsets = options.clockOffsets.flatMap { offsets in
            offsets.bySource.isEmpty
                ? nil
                : offsets.bySource.mapValues {
                    Offset(
                        offsetNanos: $0.nanos, reference: $0.reference, lowerNanos: $0.lowerNanos, upperNanos: $0.upperNanos, hops: $0.hops,
                        uncertain: $0.uncertain)
                }
        }
    }

    /// The learned clock offsets recorded, nil when none were.
    public var learnedClockOffsets: ClockOffsets? {
        clockOffsets.map { offsets in
            ClockOffsets(
                bySource: offsets.mapValues {
                    ClockOffset(
                        nanos: $0.offsetNanos, reference: $0.reference, lowerNanos: $0.lowerNanos, upperNanos: $0.upperNanos, hops: $0.hops,
                        uncertain: $0.uncertain)
                })
        }
    }

    /// The options these settings describe.
    public var options: FlowOptions {
        FlowOptions(
            stuckAfterNanos: stuckAfterNanos, terminalTypes: Set(terminalTypes),
            stuckLimits: learnedLimits.map { StuckLimits(perTypeNanos: $0.perTypeNanos, fallbackNanos: $0.fallbackNanos) },
            definition: definition.map { d in
                FlowDefinition(
                    name: d.name, start: d.start, terminal: d.terminal, compensations: d.compensations,
                    transitions: d.transitions.map { FlowDefinition.Transition(from: $0.from, to: $0.to, withinNanos: $0.withinNanos) }
                )
            },
            clockOffsets: learnedClockOffsets, typeAttribute: typeAttribute
        )
    }

    /// The bytes the store keeps (JSON, keys sorted).
    public var encoded: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // Plain strings, integers, arrays and dictionaries of them always encode.
        return Array((try? encoder.encode(self)) ?? Data())
    }

    /// Settings read back from the store.
    public init(decoding bytes: [UInt8]) throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        self = try decoder.decode(FlowJudging.self, from: Data(bytes))
    }
}
