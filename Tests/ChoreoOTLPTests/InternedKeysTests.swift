import ChoreoModel
import Testing

@testable import ChoreoOTLP

@Suite("well-known attribute keys decode to static strings")
struct InternedKeysTests {
    @Test("every well-known key is found, and decodes to itself")
    func everyKey() {
        for key in InternedKeys.keys {
            var copy = key
            let found = copy.withUTF8 { InternedKeys.string($0) }
            #expect(found == key)
        }
    }

    @Test("keys that are not in the table, near misses included, are not taken for one")
    func nearMisses() {
        var misses: [String] = ["", "a", "service", "messaging.", "x" + MessagingKey.conversationID]
        for key in InternedKeys.keys {
            misses.append(String(key.dropLast()))
            misses.append(key + "_")
            misses.append(String(key.dropLast()) + (key.last == "a" ? "b" : "a"))
            misses.append(key.uppercased())
        }
        for miss in misses where !InternedKeys.keys.contains(miss) {
            var copy = miss
            let found = copy.withUTF8 { InternedKeys.string($0) }
            #expect(found == nil, "\(miss) is not a well-known key")
        }
    }

    @Test("the direct decoder keeps unknown keys and gives known ones their exact text")
    func throughTheDecoder() throws {
        let span = SpanRecord(
            traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), name: "send OrderPlaced", kind: .producer,
            startTimeUnixNano: 10, endTimeUnixNano: 20,
            attributes: [
                MessagingKey.conversationID: .string("order-1"), "messaging.conversation_id_": .string("near"),
                "app.tenant": .string("t1"), ChoreoKey.eventType: .string("OrderPlaced"),
            ],
            serviceName: "checkout", resourceAttributes: ["service.instance.id": .string("pod-7"), "k8s.pod.name": .string("p")]
        )
        let bytes = try OTLPProtobuf.encodeRequest([span])
        let decoded = try #require(OTLPDirectDecoder.decode(bytes))
        #expect(decoded.spans == [span])
    }
}
