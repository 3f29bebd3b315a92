import ChoreoInstrumentation
import ChoreoModel
import Synchronization

/// The truth of a run on a broker, observed on the broker itself rather than reported by the
/// services: a consumer group of its own (``group``) on every topic of the system records each
/// message as it was published, and the dead letters tell which deliveries failed for good.
///
/// So the truth holds whatever the services are — these, another build of them, or a service
/// written in another language that honours the message contract — and counts only messages
/// the broker accepted. The rules of ``TruthRecorder`` turn the facts into a status:
/// - a published message of a type no running service consumes makes its flow `stuck`
///   (the first such type is what it waits for);
/// - a terminal message (`OrderCompleted`, `OrderCancelled`) published to a consumed topic
///   ends its flow;
/// - a dead letter fails its flow.
///
/// A stuck flow stays stuck when a business timer of a service moves it on later (payment's
/// card deadline of a declined card nobody updates ends it with `OrderCancelled`): a message
/// went nowhere, which is what the collector reports too (it names the message not consumed).
///
/// A message delivered twice (a publish repeated after a reconnection) is recorded once, by
/// its `id` header.
public final class TruthObserver: Sendable {
    /// The consumer group of the observer. Not a service: it publishes nothing.
    public static let group = "choreo-truth"

    /// The facts, as ``TruthRecorder`` keeps them for a run in one process.
    public let recorder = TruthRecorder()
    private let routed: Set<String>
    private let seen = Mutex<Set<String>>([])
    private let failed = Mutex<Set<String>>([])

    /// Creates an observer for a run whose services subscribe `consumers` (by topic, as
    /// ``OrderFulfilmentSystem/consumers(style:)`` returns them) except the `missing` ones.
    public init(consumers: [String: Set<String>], missing: Set<String>) {
        routed = Set(consumers.filter { !$0.value.subtracting(missing).isEmpty }.keys)
    }

    /// The subscriptions of the observer: one per message type's topic.
    public static var subscriptions: [BrokerSubscription] {
        OrderMessageType.allCases.map { BrokerSubscription(topic: $0.topic, group: group) }
    }

    /// Subscribes the observer on `bus` (an instance of its own, uninstrumented: the observer
    /// makes no spans). Call it before the first order is placed.
    public func subscribe(on bus: some MessageBus) async throws {
        for type in OrderMessageType.allCases {
            try await bus.subscribe(topic: type.topic, group: Self.group) { [self] delivery in
                observe(delivery.message, type: type)
            }
        }
    }

    /// Records one published message of `type`.
    func observe(_ message: Message, type: OrderMessageType) {
        let headers = message.headers
        guard let id = headers[MessageHeader.id], let correlationID = Self.correlationID(headers) else { return }
        guard seen.withLock({ $0.insert(id).inserted }) else { return }
        let step = FlowStep(
            type: type, service: headers[MessageHeader.source] ?? "", messageID: id,
            causationID: headers[MessageHeader.causationID], compensates: headers[MessageHeader.compensates]
        )
        recorder.recordPublish(step, correlationID: correlationID)
        if !routed.contains(type.topic) {
            recorder.recordUnrouted(correlationID: correlationID, type: type)
        } else if type.isTerminal {
            recorder.recordEnd(correlationID: correlationID, outcome: type)
        }
    }

    /// The truth of the flows `ids`, each flow's steps in causal order.
    ///
    /// A flow's messages reach the observer through one queue per topic, so they arrive in no
    /// particular order; their causation ids give the order back: a message comes after the one
    /// whose handling published it, and otherwise in the order observed.
    public func truth(of ids: Set<String>) -> Truth {
        var flows = recorder.truth.flows.filter { ids.contains($0.key) }
        for (id, flow) in flows {
            let steps = Self.causalOrder(flow.steps)
            flows[id]?.steps = steps
            flows[id]?.types = steps.map(\.type.rawValue)
        }
        return Truth(flows: flows)
    }

    /// `steps` sorted so that each comes after its cause (when its cause is among them), else
    /// in the given order.
    static func causalOrder(_ steps: [FlowStep]) -> [FlowStep] {
        let ids = Set(steps.map(\.messageID))
        var placed: Set<String> = []
        var remaining = steps
        var ordered: [FlowStep] = []
        while !remaining.isEmpty {
            let index =
                remaining.firstIndex { step in
                    guard let cause = step.causationID, ids.contains(cause) else { return true }
                    return placed.contains(cause)
                } ?? 0  // a cycle cannot come from real causation; keep the observed order
            let step = remaining.remove(at: index)
            placed.insert(step.messageID)
            ordered.append(step)
        }
        return ordered
    }

    /// Reads the dead letters once and fails the flows of those not seen before.
    public func readDeadLetters(from bus: some BrokerBus) async throws {
        for letter in try await bus.deadLetters(limit: 100_000) {
            let headers = letter.message.headers
            guard let correlationID = Self.correlationID(headers),
                let type = headers[MessageHeader.type].flatMap(OrderMessageType.init(rawValue:))
            else { continue }
            let key = "\(letter.group)/\(headers[MessageHeader.id] ?? "")"
            guard failed.withLock({ $0.insert(key).inserted }) else { continue }
            recorder.recordFailure(correlationID: correlationID, type: type)
        }
    }

    /// Reads the dead letters every `interval` until cancelled. A read that fails (the broker
    /// is down or restarting) is tried again at the next interval: the dead letters stay.
    public func followDeadLetters(on bus: some BrokerBus, every interval: Duration = .milliseconds(200)) async throws {
        while true {
            try? await readDeadLetters(from: bus)
            try await Task.sleep(for: interval)
        }
    }

    private static func correlationID(_ headers: [String: String]) -> String? {
        for name in MessageHeader.correlationIDAliases {
            if let value = headers[name], !value.isEmpty { return value }
        }
        return nil
    }
}
