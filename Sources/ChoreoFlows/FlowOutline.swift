/// The shape of a flow without its details: per step (publish order) its type, the step whose
/// handling published it, and what about it needs attention. A client lays out a causation tree
/// of 100,000 steps from it (which steps to show, which runs fold) and then asks for only the
/// steps it shows; at about 16 bytes a step it is a small fraction of the flow's JSON.
///
/// JSON (a page's `outline` key, docs/query-api.md): `{"adjusted_deliveries": n,
/// "adjusted_steps": n, "steps": [[type, cause, flags, compensates], …], "types": […],
/// "uncertain": n}`, where `type` indexes `types`, `cause` and `compensates` are step indexes
/// (-1 for none or unseen) and `flags` is a sum of ``Flags``.
public struct FlowOutline: Hashable, Sendable {
    /// What about a step needs attention; a step with none of the first four is plain (a long
    /// run of plain steps of one type may be folded).
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// The step is a compensation (marked or declared).
        public static let compensation = Flags(rawValue: 1)
        /// A compensation undid the step.
        public static let compensated = Flags(rawValue: 2)
        /// A delivery was retried, failed, dead-lettered or ignored as a duplicate.
        public static let troubled = Flags(rawValue: 4)
        /// Nobody received the step.
        public static let unconsumed = Flags(rawValue: 8)
        /// A delivery carries an error message.
        public static let error = Flags(rawValue: 16)

        /// The flags of `step`.
        public init(_ step: FlowStep) {
            var flags: Flags = []
            if step.isCompensation { flags.insert(.compensation) }
            if step.compensatedBy != nil { flags.insert(.compensated) }
            if step.deliveries.isEmpty { flags.insert(.unconsumed) }
            for delivery in step.deliveries {
                if delivery.outcome != .handled || delivery.failedAttempts > 0 { flags.insert(.troubled) }
                if let error = delivery.error, !error.isEmpty { flags.insert(.error) }
            }
            self = flags
        }

        /// No failed, retried or dead-lettered delivery, no compensation, and consumed.
        public var isPlain: Bool { isDisjoint(with: [.compensation, .compensated, .troubled, .unconsumed]) }
    }

    /// One step of the outline.
    public struct Step: Hashable, Sendable {
        /// Index into ``FlowOutline/types``.
        public var type: Int
        /// The index of the first step whose message id is this step's causation id (it may be
        /// the step itself); -1 when the step names no cause or its cause was never seen.
        public var cause: Int
        public var flags: Flags
        /// The index of the first step whose message id this step compensates; -1 for none.
        public var compensates: Int

        public init(type: Int, cause: Int, flags: Flags, compensates: Int) {
            self.type = type
            self.cause = cause
            self.flags = flags
            self.compensates = compensates
        }
    }

    /// The step types, in order of first appearance.
    public var types: [String]
    /// One per step, in the flow's step order (publish order).
    public var steps: [Step]
    /// Steps whose publish time was moved for clock skew.
    public var adjustedSteps: Int
    /// Deliveries whose times were moved for clock skew.
    public var adjustedDeliveries: Int
    /// Steps and deliveries whose time rests on thin evidence.
    public var uncertain: Int

    public init(types: [String], steps: [Step], adjustedSteps: Int = 0, adjustedDeliveries: Int = 0, uncertain: Int = 0) {
        self.types = types
        self.steps = steps
        self.adjustedSteps = adjustedSteps
        self.adjustedDeliveries = adjustedDeliveries
        self.uncertain = uncertain
    }

    /// The outline of `flow`.
    public init(_ flow: Flow) {
        var indexByID = [String: Int](minimumCapacity: flow.steps.count)
        for (i, step) in flow.steps.enumerated() where indexByID[step.messageID] == nil {
            indexByID[step.messageID] = i
        }
        var types = FirstSeenNumbering<String>()
        var steps: [Step] = []
        steps.reserveCapacity(flow.steps.count)
        var adjustedSteps = 0
        var adjustedDeliveries = 0
        var uncertain = 0
        for step in flow.steps {
            let type = types.number(of: step.type).number
            steps.append(
                Step(
                    type: type, cause: step.causationID.flatMap { indexByID[$0] } ?? -1, flags: Flags(step),
                    compensates: step.compensates.flatMap { indexByID[$0] } ?? -1))
            if step.adjustedByNanos != 0 { adjustedSteps += 1 }
            if step.timeUncertain { uncertain += 1 }
            for delivery in step.deliveries {
                if delivery.adjustedByNanos != 0 { adjustedDeliveries += 1 }
                if delivery.timeUncertain { uncertain += 1 }
            }
        }
        self.init(types: types.keys, steps: steps, adjustedSteps: adjustedSteps, adjustedDeliveries: adjustedDeliveries, uncertain: uncertain)
    }

    /// The type name of step `i`.
    public func type(of i: Int) -> String { types[steps[i].type] }
}
