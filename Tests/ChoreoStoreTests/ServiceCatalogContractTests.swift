import ChoreoModel
import ChoreoStore
import Testing

/// The behaviour every ``ServiceCatalog`` (every ``SpanStore`` the collector opens) must have:
/// what Jaeger's query API asks of the store.
@Suite("ServiceCatalog contract")
struct ServiceCatalogContractTests {
    func withCatalog(_ kind: StoreKind, _ body: (any SpanStore & ServiceCatalog) async throws -> Void) async throws {
        let subject = try kind.make()
        do {
            let catalog = try #require(subject.store as? any SpanStore & ServiceCatalog, "\(kind) store is not a ServiceCatalog")
            try await body(catalog)
        } catch {
            await subject.dispose()
            throw error
        }
        await subject.dispose()
    }

    /// A span of `service` named `name`, started `startMs` after ``Spans/base`` and lasting `ms`.
    static func span(
        trace: UInt64, span: UInt64, service: String, name: String, kind: SpanKind = .internal, startMs: UInt64, ms: UInt64 = 2,
        attributes: [String: AttributeValue] = [:], resource: [String: AttributeValue] = [:], status: SpanStatusCode = .unset
    ) -> SpanRecord {
        SpanRecord(
            traceID: TraceID(high: 0xCA7, low: trace), spanID: SpanID(span), name: name, kind: kind,
            startTimeUnixNano: Spans.base + startMs * 1_000_000, endTimeUnixNano: Spans.base + (startMs + ms) * 1_000_000,
            attributes: attributes, statusCode: status, serviceName: service, resourceAttributes: resource
        )
    }

    static func ids(_ traces: [UInt64]) -> [TraceID] { traces.map { TraceID(high: 0xCA7, low: $0) } }

    @Test("services are listed once each, sorted; operations once per (name, kind), sorted, filtered by kind", arguments: StoreKind.allCases)
    func servicesAndOperations(_ kind: StoreKind) async throws {
        try await withCatalog(kind) { store in
            #expect(try await store.serviceNames().isEmpty)
            #expect(try await store.operations(service: "payment", kind: nil).isEmpty)
            try await store.append([
                Self.span(trace: 1, span: 1, service: "payment", name: "send PaymentReceived", kind: .producer, startMs: 1),
                Self.span(trace: 1, span: 2, service: "order", name: "process PaymentReceived", kind: .consumer, startMs: 2),
                Self.span(trace: 2, span: 3, service: "payment", name: "send PaymentReceived", kind: .producer, startMs: 3),
                Self.span(trace: 2, span: 4, service: "payment", name: "charge", kind: .client, startMs: 4),
                Self.span(trace: 2, span: 5, service: "payment", name: "charge", kind: .internal, startMs: 5),
                Self.span(trace: 3, span: 6, service: "checkout", name: "place order", kind: .server, startMs: 6),
                Self.span(trace: 3, span: 7, service: "Zeta", name: "a", startMs: 7),
                Self.span(trace: 3, span: 8, service: "payment", name: "audit", kind: .unspecified, startMs: 8),
            ])
            #expect(try await store.serviceNames() == ["Zeta", "checkout", "order", "payment"])
            #expect(
                try await store.operations(service: "payment", kind: nil) == [
                    ServiceOperation(name: "audit", kind: .unspecified), ServiceOperation(name: "charge", kind: .client),
                    ServiceOperation(name: "charge", kind: .internal), ServiceOperation(name: "send PaymentReceived", kind: .producer),
                ])
            #expect(try await store.operations(service: "payment", kind: .client) == [ServiceOperation(name: "charge", kind: .client)])
            #expect(try await store.operations(service: "payment", kind: .server).isEmpty)
            #expect(try await store.operations(service: "nobody", kind: nil).isEmpty)
        }
    }

    @Test("search finds traces by service, exact operation, time and duration, newest matching span first, up to the limit", arguments: StoreKind.allCases)
    func searchConditions(_ kind: StoreKind) async throws {
        try await withCatalog(kind) { store in
            try await store.append([
                Self.span(trace: 1, span: 1, service: "payment", name: "charge", startMs: 10, ms: 5),
                Self.span(trace: 2, span: 2, service: "payment", name: "charge", startMs: 30, ms: 50),
                Self.span(trace: 2, span: 3, service: "payment", name: "charge", startMs: 31, ms: 1),
                Self.span(trace: 3, span: 4, service: "payment", name: "charge card", startMs: 40, ms: 5),
                Self.span(trace: 4, span: 5, service: "order", name: "charge", startMs: 50, ms: 5),
                Self.span(trace: 5, span: 6, service: "payment", name: "charge", startMs: 20, ms: 200),
            ])
            #expect(try await store.traceIDs(SpanSearch(service: "payment")) == Self.ids([3, 2, 5, 1]))
            #expect(try await store.traceIDs(SpanSearch(service: "payment", operation: "charge")) == Self.ids([2, 5, 1]), "the operation matches exactly")
            #expect(try await store.traceIDs(SpanSearch(service: "payment", limit: 2)) == Self.ids([3, 2]))
            let ms: UInt64 = 1_000_000
            #expect(try await store.traceIDs(SpanSearch(service: "payment", minDurationNanos: 50 * ms)) == Self.ids([2, 5]))
            #expect(try await store.traceIDs(SpanSearch(service: "payment", maxDurationNanos: 5 * ms)) == Self.ids([3, 2, 1]))
            #expect(
                try await store.traceIDs(SpanSearch(service: "payment", minDurationNanos: 5 * ms, maxDurationNanos: 50 * ms)) == Self.ids([3, 2, 1]),
                "both bounds are inclusive")
            #expect(
                try await store.traceIDs(SpanSearch(service: "payment", since: Spans.base + 20 * ms, until: Spans.base + 31 * ms)) == Self.ids([2, 5]),
                "both time bounds are inclusive")
            #expect(try await store.traceIDs(SpanSearch(service: "nobody")).isEmpty)
        }
    }

    @Test("search by tags: span attributes, resource attributes and the kind and status tags, all on one span", arguments: StoreKind.allCases)
    func searchTags(_ kind: StoreKind) async throws {
        try await withCatalog(kind) { store in
            try await store.append([
                Self.span(
                    trace: 1, span: 1, service: "payment", name: "charge", kind: .client, startMs: 10,
                    attributes: ["http.status_code": .int(500), "retry": .bool(true)], resource: ["host.name": .string("a")], status: .error),
                Self.span(
                    trace: 2, span: 2, service: "payment", name: "charge", kind: .server, startMs: 20,
                    attributes: ["http.status_code": .int(200)], resource: ["host.name": .string("b")], status: .ok),
                Self.span(trace: 3, span: 3, service: "payment", name: "charge", startMs: 30, attributes: ["http.status_code": .int(500)]),
                Self.span(trace: 3, span: 4, service: "payment", name: "charge", startMs: 31, resource: ["host.name": .string("a")]),
            ])
            func search(_ tags: [String: String]) async throws -> [TraceID] { try await store.traceIDs(SpanSearch(service: "payment", tags: tags)) }
            #expect(try await search(["http.status_code": "500"]) == Self.ids([3, 1]))
            #expect(try await search(["http.status_code": "500", "host.name": "a"]) == Self.ids([1]), "every tag on the same span")
            #expect(try await search(["retry": "true"]) == Self.ids([1]))
            #expect(try await search(["error": "true"]) == Self.ids([1]))
            #expect(try await search(["otel.status_code": "OK"]) == Self.ids([2]))
            #expect(try await search(["span.kind": "server"]) == Self.ids([2]))
            #expect(try await search(["host.name": "c"]).isEmpty)
        }
    }
}
