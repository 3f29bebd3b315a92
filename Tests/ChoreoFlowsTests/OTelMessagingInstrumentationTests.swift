import ChoreoFlows
import ChoreoModel
import Testing

/// Flows rebuilt from spans that carry only what the OpenTelemetry messaging instrumentations
/// emit: no `choreo.*` attribute anywhere.
///
/// Each instrumentation's attribute set is the one its source sets on PRODUCER and CONSUMER
/// spans (keys and values as written there; the semantic-conventions generation is named per
/// case). Every flow is the same choreography: `orders` publishes the first message, `payment`
/// handles it and publishes the second, `shipping` handles that and publishes the third,
/// `notification` handles it. A handler's publish is a child of its delivery span, and a
/// delivery span is a child of the publish whose context the message headers carried.
@Suite("Flows from OpenTelemetry messaging instrumentations")
struct OTelMessagingInstrumentationTests {
    /// One instrumentation: the attributes of a publish and of a delivery.
    struct Instrumentation: CustomTestStringConvertible, Sendable {
        var name: String
        /// The semantic-conventions generation its keys come from.
        var semconv: String
        /// Producer (name, attributes) for destination, message id, conversation id.
        var publish: @Sendable (_ destination: String, _ messageID: String, _ conversationID: String) -> (String, [String: AttributeValue])
        /// Consumer (name, attributes, kind).
        var deliver: @Sendable (_ destination: String, _ messageID: String, _ conversationID: String) -> (String, [String: AttributeValue], SpanKind)
        /// True when its spans name message ids (else the span graph gives them).
        var namesMessages: Bool
        /// True when its spans carry a conversation id (else the flow is the trace).
        var namesConversation: Bool
        /// The flow's step types, given destinations `orders.placed`, `payment.captured`, `order.shipped`.
        var types: [String] = ["orders.placed", "payment.captured", "order.shipped"]
        var typeAttribute: String? = nil
        var testDescription: String { "\(name) (\(semconv))" }
    }

    static let peer: [String: AttributeValue] = ["net.peer.name": .string("rabbit"), "net.peer.port": .int(5672)]

    static let instrumentations: [Instrumentation] = [
        // opentelemetry-python-contrib, instrumentation/opentelemetry-instrumentation-pika (utils.py
        // _enrich_span): pre-1.17 keys (`messaging.destination`, `messaging.message_id`,
        // `messaging.conversation_id` from the AMQP correlation_id, `messaging.operation`).
        Instrumentation(
            name: "Python pika", semconv: "semantic conventions 1.11-1.16 names",
            publish: { destination, id, conversation in
                (
                    "\(destination) send",
                    peer.merging([
                        "messaging.system": .string("rabbitmq"), "messaging.temp_destination": .bool(true),
                        "messaging.destination": .string(destination), "messaging.message_id": .string(id),
                        "messaging.conversation_id": .string(conversation),
                    ]) { a, _ in a }
                )
            },
            deliver: { destination, id, conversation in
                (
                    "\(destination) receive",
                    peer.merging([
                        "messaging.system": .string("rabbitmq"), "messaging.operation": .string("receive"),
                        "messaging.destination": .string(destination), "messaging.message_id": .string(id),
                        "messaging.conversation_id": .string(conversation),
                    ]) { a, _ in a }, .consumer
                )
            },
            namesMessages: true, namesConversation: true),
        // opentelemetry-python-contrib, aio-pika (span_builder.py): a mix of generations, the
        // incubating `messaging.message.id` (1.26+) with the older `messaging.operation`,
        // `messaging.destination` ("exchange,routing_key" on a publish) and `messaging.conversation_id`.
        Instrumentation(
            name: "Python aio-pika", semconv: "1.26 messaging.message.id with pre-1.17 names",
            publish: { destination, id, conversation in
                (
                    "events,\(destination) send",
                    peer.merging([
                        "messaging.system": .string("rabbitmq"), "messaging.destination": .string("events,\(destination)"),
                        "messaging.message.id": .string(id), "messaging.conversation_id": .string(conversation),
                        "messaging.temp_destination": .bool(true),
                    ]) { a, _ in a }
                )
            },
            deliver: { destination, id, conversation in
                (
                    "events receive",
                    peer.merging([
                        "messaging.system": .string("rabbitmq"), "messaging.destination": .string("events"),
                        "messaging.message.id": .string(id), "messaging.conversation_id": .string(conversation),
                        "messaging.operation": .string("receive"),
                    ]) { a, _ in a }, .consumer
                )
            },
            namesMessages: true, namesConversation: true,
            types: ["events,orders.placed", "events,payment.captured", "events,order.shipped"]),
        // opentelemetry-python-contrib, kafka-python (utils.py _enrich_span): no message id, no
        // conversation id, no operation; the span kind says publish or deliver.
        Instrumentation(
            name: "Python kafka-python", semconv: "pre-1.17 names (messaging.destination, messaging.url)",
            publish: { destination, _, _ in
                (
                    "\(destination) send",
                    [
                        "messaging.system": .string("kafka"), "messaging.destination": .string(destination),
                        "messaging.kafka.partition": .int(0), "messaging.url": .string("[\"localhost:9092\"]"),
                    ]
                )
            },
            deliver: { destination, _, _ in
                (
                    "\(destination) receive",
                    [
                        "messaging.system": .string("kafka"), "messaging.destination": .string(destination),
                        "messaging.kafka.partition": .int(0), "messaging.url": .string("[\"localhost:9092\"]"),
                    ], .consumer
                )
            },
            namesMessages: false, namesConversation: false),
        // opentelemetry-js-contrib, instrumentation-amqplib (amqplib.ts createPublishSpan and the
        // consume patch; semconv-obsolete.ts): pre-1.17 names, `messaging.operation` = process.
        // The default exchange has an empty name: the routing key names the destination then.
        Instrumentation(
            name: "JS amqplib", semconv: "pre-1.17 names (semconv-obsolete.ts)",
            publish: { destination, id, conversation in
                (
                    "publish <default>",
                    [
                        "messaging.system": .string("rabbitmq"), "messaging.protocol": .string("AMQP"),
                        "messaging.protocol_version": .string("0.9.1"), "net.peer.name": .string("rabbit"), "net.peer.port": .int(5672),
                        "messaging.destination": .string(""), "messaging.destination_kind": .string("topic"),
                        "messaging.rabbitmq.routing_key": .string(destination), "messaging.message_id": .string(id),
                        "messaging.conversation_id": .string(conversation),
                    ]
                )
            },
            deliver: { destination, id, conversation in
                (
                    "\(destination)-queue process",
                    [
                        "messaging.system": .string("rabbitmq"), "messaging.protocol": .string("AMQP"),
                        "messaging.protocol_version": .string("0.9.1"), "net.peer.name": .string("rabbit"), "net.peer.port": .int(5672),
                        "messaging.destination": .string(""), "messaging.destination_kind": .string("topic"),
                        "messaging.rabbitmq.routing_key": .string(destination), "messaging.operation": .string("process"),
                        "messaging.message_id": .string(id), "messaging.conversation_id": .string(conversation),
                    ], .consumer
                )
            },
            namesMessages: true, namesConversation: true),
        // opentelemetry-js-contrib, instrumentation-kafkajs (instrumentation.ts _startProducerSpan,
        // _startConsumerSpan for eachMessage): current incubating keys, `messaging.operation.type`
        // send / process; no message id or conversation id.
        Instrumentation(
            name: "JS kafkajs", semconv: "1.30+ (messaging.operation.type, messaging.kafka.offset)",
            publish: { destination, _, _ in
                (
                    "send \(destination)",
                    [
                        "messaging.system": .string("kafka"), "messaging.destination.name": .string(destination),
                        "messaging.kafka.message.key": .string("order-42"), "messaging.operation.name": .string("send"),
                        "messaging.operation.type": .string("send"),
                    ]
                )
            },
            deliver: { destination, _, _ in
                (
                    "process \(destination)",
                    [
                        "messaging.destination.partition.id": .string("0"), "messaging.system": .string("kafka"),
                        "messaging.destination.name": .string(destination), "messaging.operation.type": .string("process"),
                        "messaging.operation.name": .string("process"), "messaging.kafka.message.key": .string("order-42"),
                        "messaging.kafka.offset": .string("17"),
                    ], .consumer
                )
            },
            namesMessages: false, namesConversation: false),
        // opentelemetry-java-instrumentation, MessagingAttributesExtractor with the JMS getter
        // (JmsMessageAttributesGetter), default (old) semconv: `messaging.operation` publish /
        // process, `messaging.message.id` = JMSMessageID, conversation id = JMSCorrelationID.
        Instrumentation(
            name: "Java JMS", semconv: "1.24-1.26 (messaging.operation, messaging.destination.name)",
            publish: { destination, id, conversation in
                (
                    "\(destination) publish",
                    [
                        "messaging.system": .string("jms"), "messaging.destination.name": .string(destination),
                        "messaging.message.conversation_id": .string(conversation), "messaging.operation": .string("publish"),
                        "messaging.message.id": .string("ID:\(id)"),
                    ]
                )
            },
            deliver: { destination, id, conversation in
                (
                    "\(destination) process",
                    [
                        "messaging.system": .string("jms"), "messaging.destination.name": .string(destination),
                        "messaging.message.conversation_id": .string(conversation), "messaging.operation": .string("process"),
                        "messaging.message.id": .string("ID:\(id)"),
                    ], .consumer
                )
            },
            namesMessages: true, namesConversation: true),
        // opentelemetry-java-instrumentation, Kafka clients (KafkaProducerAttributesGetter,
        // KafkaConsumerAttributesGetter): no message id, no conversation id.
        Instrumentation(
            name: "Java Kafka", semconv: "1.24-1.26 (messaging.operation, messaging.kafka.consumer.group)",
            publish: { destination, _, _ in
                (
                    "\(destination) publish",
                    [
                        "messaging.system": .string("kafka"), "messaging.destination.name": .string(destination),
                        "messaging.operation": .string("publish"), "messaging.client_id": .string("producer-1"),
                        "messaging.destination.partition.id": .string("0"), "messaging.kafka.message.offset": .int(17),
                    ]
                )
            },
            deliver: { destination, _, _ in
                (
                    "\(destination) process",
                    [
                        "messaging.system": .string("kafka"), "messaging.destination.name": .string(destination),
                        "messaging.operation": .string("process"), "messaging.client_id": .string("consumer-1"),
                        "messaging.kafka.consumer.group": .string("\(destination)-handlers"),
                        "messaging.destination.partition.id": .string("0"), "messaging.kafka.message.offset": .int(17),
                        "messaging.message.body.size": .int(120),
                    ], .consumer
                )
            },
            namesMessages: false, namesConversation: false),
        // opentelemetry-dotnet-contrib, OpenTelemetry.Instrumentation.ConfluentKafka
        // (InstrumentedProducer, OpenTelemetryConsumeResultExtensions): semantic conventions
        // 1.44 names, `messaging.operation.type` send / process. The library starts the process
        // span under the ambient activity and links it to the publish; this case has the
        // handler run under the extracted context, so the publish is the parent. Without an
        // ambient activity each hop starts a new trace and, with no conversation id, the flow
        // splits per hop (docs/messaging-conventions.md).
        Instrumentation(
            name: ".NET Confluent.Kafka", semconv: "1.44 (messaging.operation.type, messaging.consumer.group.name)",
            publish: { destination, _, _ in
                (
                    "send \(destination)",
                    [
                        "messaging.destination.name": .string(destination), "messaging.operation.name": .string("send"),
                        "messaging.operation.type": .string("send"), "messaging.system": .string("kafka"),
                        "messaging.client.id": .string("rdkafka#producer-1"), "messaging.kafka.message.key": .string("order-42"),
                    ]
                )
            },
            deliver: { destination, _, _ in
                (
                    "process \(destination)",
                    [
                        "messaging.operation.name": .string("process"), "messaging.operation.type": .string("process"),
                        "messaging.system": .string("kafka"), "messaging.consumer.group.name": .string("\(destination)-handlers"),
                        "messaging.destination.name": .string(destination), "messaging.destination.partition.id": .string("0"),
                        "messaging.kafka.offset": .int(17),
                    ], .consumer
                )
            },
            namesMessages: false, namesConversation: false),
    ]

    static let destinations = ["orders.placed", "payment.captured", "order.shipped"]
    static let services = ["orders", "payment", "shipping", "notification"]
    static let trace = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)

    /// The choreography's spans; the last delivery fails when `failLast`.
    static func spans(_ inst: Instrumentation, failLast: Bool = false) -> [SpanRecord] {
        var spans: [SpanRecord] = []
        var parent: SpanID? = SpanID(0x100)
        for (index, destination) in destinations.enumerated() {
            let t = UInt64(index) * 10_000_000 + 1_000_000_000
            let producerID = SpanID(UInt64(0x200 + index))
            let (pubName, pubAttributes) = inst.publish(destination, "m-\(index + 1)", "order-42")
            spans.append(
                SpanRecord(
                    traceID: trace, spanID: producerID, parentSpanID: parent, name: pubName, kind: .producer, startTimeUnixNano: t,
                    endTimeUnixNano: t + 1_000_000, attributes: pubAttributes, serviceName: services[index]))
            let consumerID = SpanID(UInt64(0x300 + index))
            let (subName, subAttributes, kind) = inst.deliver(destination, "m-\(index + 1)", "order-42")
            let failed = failLast && index == destinations.count - 1
            spans.append(
                SpanRecord(
                    traceID: trace, spanID: consumerID, parentSpanID: producerID, name: subName, kind: kind,
                    startTimeUnixNano: t + 2_000_000, endTimeUnixNano: t + 5_000_000, attributes: subAttributes,
                    statusCode: failed ? .error : .unset, statusMessage: failed ? "card declined" : nil, serviceName: services[index + 1]))
            parent = consumerID
        }
        return spans
    }

    @Test("each instrumentation's spans rebuild into the flow: types, causation, status", arguments: instrumentations)
    func rebuilds(_ inst: Instrumentation) throws {
        let spans = Self.spans(inst)
        let correlation = inst.namesConversation ? "order-42" : Self.trace.hex
        #expect(spans.allSatisfy { $0.flowCorrelationID == correlation }, "every span joins the flow")
        let builder = FlowBuilder(options: FlowOptions(typeAttribute: inst.typeAttribute))
        let flow = try #require(builder.build(correlationID: correlation, spans: spans, now: 2_000_000_000))
        #expect(flow.steps.map(\.type) == inst.types)
        #expect(flow.steps.map(\.source) == ["orders", "payment", "shipping"])
        #expect(flow.steps.map { $0.deliveries.map(\.service) } == [["payment"], ["shipping"], ["notification"]])
        let ids = flow.steps.map(\.messageID)
        if inst.namesMessages {
            #expect(ids.allSatisfy { $0.hasSuffix("m-1") || $0.hasSuffix("m-2") || $0.hasSuffix("m-3") })
        } else {
            #expect(ids == (0..<3).map { "\(Self.trace.hex)-\(SpanID(UInt64(0x200 + $0)).hex)" })
        }
        #expect(flow.steps.map(\.causationID) == [nil, ids[0], ids[1]], "causation from the span graph")
        #expect(flow.status == .completed)
        #expect(flow.outcome == inst.types[2])
        #expect(flow.gaps == 0)
    }

    @Test("a failed last delivery makes the flow failed", arguments: instrumentations)
    func failedDelivery(_ inst: Instrumentation) throws {
        let spans = Self.spans(inst, failLast: true)
        let correlation = inst.namesConversation ? "order-42" : Self.trace.hex
        let flow = try #require(FlowBuilder().build(correlationID: correlation, spans: spans, now: 2_000_000_000))
        #expect(flow.status == .failed)
        #expect(flow.steps.last?.deliveries.first?.error == "card declined")
    }

    @Test("the type comes from choreo.event_type, else cloudevents.event_type, else --type-attribute, else the destination")
    func typePrecedence() throws {
        func type(_ attributes: [String: AttributeValue], typeAttribute: String? = "messaging.rabbitmq.routing_key") throws -> String {
            var all: [String: AttributeValue] = [
                "messaging.message.conversation_id": .string("c"), "messaging.message.id": .string("m"),
                "messaging.destination.name": .string("orders"),
            ]
            all.merge(attributes) { _, new in new }
            let span = SpanRecord(
                traceID: Self.trace, spanID: SpanID(1), name: "p", kind: .producer, startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: all)
            let flow = try #require(FlowBuilder(options: FlowOptions(typeAttribute: typeAttribute)).build(correlationID: "c", spans: [span], now: 3))
            return flow.steps[0].type
        }
        let routing: [String: AttributeValue] = ["messaging.rabbitmq.routing_key": .string("order.placed")]
        let cloud: [String: AttributeValue] = ["cloudevents.event_type": .string("com.example.OrderPlaced")]
        let choreo: [String: AttributeValue] = ["choreo.event_type": .string("OrderPlaced")]
        #expect(try type(routing.merging(cloud) { a, _ in a }.merging(choreo) { a, _ in a }) == "OrderPlaced")
        #expect(try type(routing.merging(cloud) { a, _ in a }) == "com.example.OrderPlaced")
        #expect(try type(routing) == "order.placed")
        #expect(try type(routing, typeAttribute: nil) == "orders")
        #expect(try type([:]) == "orders")
    }

    @Test("CloudEvents attributes name the message; settle spans are no step; receive then process is one attempt")
    func cloudEventsAndOperations() throws {
        func span(_ id: UInt64, _ kind: SpanKind, parent: UInt64? = nil, _ attributes: [String: AttributeValue]) -> SpanRecord {
            SpanRecord(
                traceID: Self.trace, spanID: SpanID(id), parentSpanID: parent.map { SpanID($0) }, name: "s", kind: kind,
                startTimeUnixNano: id * 1000, endTimeUnixNano: id * 1000 + 500,
                attributes: attributes.merging(["messaging.conversation_id": .string("c"), "messaging.system": .string("servicebus")]) { a, _ in a },
                serviceName: id == 3 ? "svc2" : "svc\(id)")
        }
        let event: [String: AttributeValue] = ["cloudevents.event_id": .string("ce-1"), "cloudevents.event_type": .string("OrderPlaced")]
        let spans = [
            span(1, .producer, event.merging(["messaging.operation.type": .string("send")]) { a, _ in a }),
            span(2, .consumer, event.merging(["messaging.operation.type": .string("receive")]) { a, _ in a }),
            span(3, .consumer, parent: 2, event.merging(["messaging.operation.type": .string("process")]) { a, _ in a }),
            span(4, .client, parent: 3, event.merging(["messaging.operation.type": .string("settle")]) { a, _ in a }),
        ]
        let flow = try #require(FlowBuilder().build(correlationID: "c", spans: spans, now: 10_000))
        #expect(flow.steps.map(\.messageID) == ["ce-1"])
        #expect(flow.steps[0].type == "OrderPlaced")
        #expect(flow.steps[0].deliveries.count == 1)
        #expect(flow.steps[0].deliveries[0].attempts == 1)
        #expect(flow.status == .completed)
    }

    @Test("conversation ids in either generation, and the trace only for messaging spans without one")
    func correlation() {
        func span(_ kind: SpanKind, _ attributes: [String: AttributeValue]) -> SpanRecord {
            SpanRecord(traceID: Self.trace, spanID: SpanID(9), name: "s", kind: kind, startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: attributes)
        }
        #expect(span(.internal, ["messaging.message.conversation_id": .string("a")]).flowCorrelationID == "a")
        #expect(span(.consumer, ["messaging.conversation_id": .string("b")]).flowCorrelationID == "b")
        #expect(
            span(.producer, ["messaging.message.conversation_id": .string("a"), "messaging.conversation_id": .string("b")]).flowCorrelationID == "a")
        #expect(span(.producer, ["messaging.system": .string("kafka")]).flowCorrelationID == Self.trace.hex)
        #expect(span(.producer, [:]).flowCorrelationID == nil)
        #expect(span(.server, ["messaging.system": .string("kafka"), "messaging.conversation_id": .string("b")]).flowCorrelationID == nil)
        #expect(span(.consumer, ["messaging.message.conversation_id": .string("")]).flowCorrelationID == nil)
    }
}
