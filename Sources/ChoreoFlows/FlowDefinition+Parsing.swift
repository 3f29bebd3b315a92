import ChoreoModel
import Yams

/// Why a flow definition could not be read; the message names the file's problem.
public struct FlowDefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A code to branch on: always `invalid_flow_definition`.
    public let code = "invalid_flow_definition"
    /// What is wrong and where.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension FlowDefinition {
    /// Parses a definition from YAML or JSON text (JSON is valid YAML). Pure: no file access.
    ///
    /// - Throws: ``FlowDefinitionError`` naming the bad key or value.
    public init(parsing text: String) throws {
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw FlowDefinitionError("not valid YAML or JSON: \(error)")
        }
        guard let map = root as? [String: Any] else {
            throw FlowDefinitionError("the top level must be a mapping with keys such as terminal, compensations, transitions")
        }
        let known: Set = ["name", "start", "terminal", "compensations", "transitions", "order"]
        if let unknown = map.keys.sorted().first(where: { !known.contains($0) }) {
            throw FlowDefinitionError("unknown key \"\(unknown)\"; expected \(known.sorted().joined(separator: ", "))")
        }
        self.init()
        name = try map["name"].map { try Self.string($0, "name") }
        start = try Self.strings(map["start"], "start")
        terminal = try Self.strings(map["terminal"], "terminal")
        if let raw = map["compensations"] {
            guard let pairs = raw as? [String: Any] else {
                throw FlowDefinitionError("compensations must map a compensating type to the type it undoes, e.g. RefundPayment: PaymentReceived")
            }
            for (key, value) in pairs { compensations[key] = try Self.string(value, "compensations.\(key)") }
        }
        if let raw = map["transitions"] {
            guard let list = raw as? [Any] else { throw FlowDefinitionError("transitions must be a list of {from, to, within}") }
            transitions = try list.enumerated().map { try Self.transition($1, index: $0) }
        }
        // `order: [A, B, C]`: shorthand for the transitions A → B → C.
        let order = try Self.strings(map["order"], "order")
        for (from, to) in zip(order, order.dropFirst()) where !transitions.contains(where: { $0.from == from && $0.to == to }) {
            transitions.append(Transition(from: from, to: to))
        }
    }

    private static func transition(_ raw: Any, index: Int) throws -> Transition {
        guard let map = raw as? [String: Any] else {
            throw FlowDefinitionError("transitions[\(index)] must be a mapping {from, to, within}")
        }
        guard let from = map["from"], let to = map["to"] else {
            throw FlowDefinitionError("transitions[\(index)] needs both from and to")
        }
        let within = try map["within"].map { try duration($0, "transitions[\(index)].within") }
        return Transition(from: try string(from, "transitions[\(index)].from"), to: try string(to, "transitions[\(index)].to"), withinNanos: within)
    }

    private static func string(_ raw: Any, _ key: String) throws -> String {
        guard let text = raw as? String, !text.isEmpty else { throw FlowDefinitionError("\(key) must be a non-empty string") }
        return text
    }

    private static func strings(_ raw: Any?, _ key: String) throws -> [String] {
        guard let raw else { return [] }
        if let one = raw as? String { return [one] }
        guard let list = raw as? [Any] else { throw FlowDefinitionError("\(key) must be a list of message types") }
        return try list.map { try string($0, key) }
    }

    /// A duration: a number of seconds, or text in ``DurationText``'s grammar (`250ms`, `30s`,
    /// `5m`, `1h30m`, `2d`).
    static func duration(_ raw: Any, _ key: String) throws -> UInt64 {
        let example = "a duration such as 250ms, 30s, 5m, 1h30m or a number of seconds"
        if let seconds = raw as? Int {
            let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            guard seconds >= 0, !overflow else { throw FlowDefinitionError("\(key) must be \(example); got \(raw)") }
            return UInt64(nanos)
        }
        if let seconds = raw as? Double, seconds >= 0, seconds < 1e9 { return UInt64(seconds * 1e9) }
        guard let text = raw as? String else { throw FlowDefinitionError("\(key) must be \(example); got \(raw)") }
        do {
            return UInt64(try DurationText.nanoseconds(text))
        } catch {
            throw FlowDefinitionError("\(key) must be \(example): \(error.description)")
        }
    }
}
