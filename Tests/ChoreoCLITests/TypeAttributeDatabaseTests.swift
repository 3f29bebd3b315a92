import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore
import Foundation
import Testing

@testable import ChoreoCLI

@Suite("choreo --db judges types as the collector's --type-attribute")
struct TypeAttributeDatabaseTests {
    @Test("the type attribute recorded with the judging names the types --db rebuilds; without it, the destination does")
    func typeAttributeRecorded() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // JS amqplib's keys (pre-1.17 names): a topic exchange `orders`, the type in the routing key.
        let common: [String: AttributeValue] = [
            "messaging.system": .string("rabbitmq"), "messaging.destination": .string("orders"),
            "messaging.rabbitmq.routing_key": .string("order.placed"), "messaging.message_id": .string("m1"),
            "messaging.conversation_id": .string("order-7"),
        ]
        let spans = [
            Fixtures.span(1, "publish orders", service: "orders", kind: .producer, start: 0, end: 1, attributes: common),
            Fixtures.span(
                2, parent: 1, "orders-queue process", service: "payment", kind: .consumer, start: 2, end: 3,
                attributes: common.merging(["messaging.operation": .string("process")]) { a, _ in a }),
        ]
        func type(recording typeAttribute: String?) async throws -> String {
            let path = directory.appendingPathComponent("\(typeAttribute ?? "none").sqlite").path
            let writer = try SQLiteSpanStore(path: path)
            try await writer.append(spans)
            try await writer.saveJudging(FlowJudging(FlowOptions(typeAttribute: typeAttribute)).encoded)
            await writer.close()
            return try await DatabaseSource.with(path: path, now: { Fixtures.ms(10) }) { (source: DatabaseSource) async throws -> String in
                try await source.flow(correlationID: "order-7").steps.map(\.type).joined(separator: ",")
            }
        }
        #expect(try await type(recording: "messaging.rabbitmq.routing_key") == "order.placed")
        #expect(try await type(recording: nil) == "orders")
    }
}
