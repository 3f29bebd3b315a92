import ChoreoInstrumentation
import ChoreoModel
import ChoreoTracer
import Testing
import Tracing

/// `TracedBus` remembers the first messaging tracer type it meets and takes later instruments of
/// that type by a cast to the concrete type: each publish and delivery must still use the tracer
/// in effect for it, never the instance met first.
@Suite("TracedBus: the tracer in effect, once its type is remembered")
struct MessagingTracerLookupTests {
    @Test("two ChoreoTracers in turn: each records only the messages published under it, both spans of each")
    func eachTracerItsOwn() async throws {
        let (first, firstRecords) = makeRecordingTracer(serviceName: "first", seed: 1)
        let (second, secondRecords) = makeRecordingTracer(serviceName: "second", seed: 2)
        // A bus per tracer, run (and so delivering) under it.
        let busA = try InMemoryBus()
        let busB = try InMemoryBus()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await withTracer(first) { try await busA.run() } }
            group.addTask { try await withTracer(second) { try await busB.run() } }
            try await TracedBus(busA, service: "svc").subscribe(topic: "a", group: "g") { _ in }
            try await TracedBus(busB, service: "svc").subscribe(topic: "b", group: "g") { _ in }
            for round in 0..<3 {
                _ = try await withTracer(first) {
                    try await TracedBus(busA, service: "svc").publish(type: "A\(round)", to: "a")
                }
                _ = try await withTracer(second) {
                    try await TracedBus(busB, service: "svc").publish(type: "B\(round)", to: "b")
                }
            }
            try await busA.waitUntilIdle()
            try await busB.waitUntilIdle()
            group.cancelAll()
        }
        func types(_ records: [SpanRecord], _ kind: ChoreoModel.SpanKind) -> [String] {
            records.filter { $0.kind == kind }.compactMap {
                if case .string(let type) = $0.attributes[ChoreoKey.eventType] { type } else { nil }
            }.sorted()
        }
        #expect(types(firstRecords.records, .producer) == ["A0", "A1", "A2"])
        #expect(types(firstRecords.records, .consumer) == ["A0", "A1", "A2"])
        #expect(types(secondRecords.records, .producer) == ["B0", "B1", "B2"])
        #expect(types(secondRecords.records, .consumer) == ["B0", "B1", "B2"])
    }
}
