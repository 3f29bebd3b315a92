import ChoreoPostgresBus
import PostgresNIO

extension PostgresTruthJournal {
    /// Of `correlationIDs`, those whose flow reached a final state: its end or an unrouted
    /// message was journaled, or one of its messages was dead-lettered.
    public func settled(among correlationIDs: [String]) async throws -> Set<String> {
        guard !correlationIDs.isEmpty else { return [] }
        let s = bus.schema
        let rows = try await bus.execute(
            """
            SELECT correlation_id FROM \(unescaped: s).truth WHERE kind IN ('end', 'unrouted') AND correlation_id = ANY(\(correlationIDs))
            UNION SELECT headers::jsonb ->> 'correlationid' FROM \(unescaped: s).dead_letters
            WHERE headers::jsonb ->> 'correlationid' = ANY(\(correlationIDs))
            """
        )
        return Set(try rows.map { try $0.decode(String.self) })
    }

    /// The truth of `correlationIDs` as the services journaled it, failures from the dead letters.
    public func truth(of correlationIDs: [String]) async throws -> Truth {
        let recorder = TruthRecorder()
        let s = bus.schema
        for chunk in stride(from: 0, to: correlationIDs.count, by: 2_000).map({ Array(correlationIDs[$0..<min($0 + 2_000, correlationIDs.count)]) }) {
            let rows = try await bus.execute(
                """
                SELECT correlation_id, kind, type, service, message_id, causation_id, compensates FROM \(unescaped: s).truth
                WHERE correlation_id = ANY(\(chunk)) ORDER BY seq
                """
            )
            for row in rows {
                let (flow, kind, typeName, service, messageID, causation, compensates) = try row.decode(
                    (String, String, String, String, String?, String?, String?).self
                )
                guard let type = OrderMessageType(rawValue: typeName) else { continue }
                switch kind {
                case "publish":
                    let step = FlowStep(type: type, service: service, messageID: messageID ?? "", causationID: causation, compensates: compensates)
                    recorder.recordPublish(step, correlationID: flow)
                case "end": recorder.recordEnd(correlationID: flow, outcome: type)
                case "unrouted": recorder.recordUnrouted(correlationID: flow, type: type)
                default: continue
                }
            }
            let dead = try await bus.execute(
                """
                SELECT headers::jsonb ->> 'correlationid', headers::jsonb ->> 'type' FROM \(unescaped: s).dead_letters
                WHERE headers::jsonb ->> 'correlationid' = ANY(\(chunk)) ORDER BY id
                """
            )
            for row in dead {
                let (flow, typeName) = try row.decode((String, String?).self)
                recorder.recordFailure(correlationID: flow, type: typeName.flatMap(OrderMessageType.init(rawValue:)) ?? .orderPlaced)
            }
        }
        return recorder.truth
    }

    /// Marks `service` as ready in this process: every handler subscribed.
    public func markReady(_ service: String) async throws {
        try await bus.execute(
            """
            INSERT INTO \(unescaped: bus.schema).state (service, key, value) VALUES ('_process', \(service), 'ready')
            ON CONFLICT (service, key) DO UPDATE SET value = 'ready'
            """
        )
    }

    /// The services marked ready.
    public func readyServices() async throws -> Set<String> {
        let rows = try await bus.execute("SELECT key FROM \(unescaped: bus.schema).state WHERE service = '_process' AND value = 'ready'")
        return Set(try rows.map { try $0.decode(String.self) })
    }
}
