import ChoreoModel
import ChoreoStore
import Foundation

/// Jaeger's JSON model (Jaeger query's `model/json`), as its HTTP API answers and Grafana's
/// Jaeger data source and the Jaeger UI read it: ids in lower-case hex, times and durations in
/// whole microseconds, typed tags, a `processes` map the spans point into by `processID`.
public enum Jaeger {
    /// A tag: `{"key", "type", "value"}`, `type` one of `string`, `bool`, `int64`, `float64`,
    /// `binary`, and `value` a JSON value of that type.
    public struct KeyValue: Encodable, Hashable, Sendable {
        public enum Value: Hashable, Sendable {
            case string(String)
            case bool(Bool)
            case int64(Int64)
            case float64(Double)
        }

        public var key: String
        public var value: Value

        public init(key: String, value: Value) {
            self.key = key
            self.value = value
        }

        /// An OpenTelemetry attribute as Jaeger's OTLP translator shows it: strings, booleans,
        /// integers and doubles keep their type; arrays become their JSON text (a string tag).
        public init(key: String, attribute: AttributeValue) {
            self.key = key
            switch attribute {
            case .string(let s): value = .string(s)
            case .bool(let b): value = .bool(b)
            case .int(let i): value = .int64(i)
            case .double(let d): value = d.isFinite ? .float64(d) : .string(String(d))
            case .stringArray(let a): value = .string(Self.jsonText(a))
            case .intArray(let a): value = .string(Self.jsonText(a))
            case .doubleArray(let a): value = .string(a.allSatisfy(\.isFinite) ? Self.jsonText(a) : Self.jsonText(a.map { String($0) }))
            case .boolArray(let a): value = .string(Self.jsonText(a))
            }
        }

        enum CodingKeys: String, CodingKey { case key, type, value }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            switch value {
            case .string(let s):
                try c.encode("string", forKey: .type)
                try c.encode(s, forKey: .value)
            case .bool(let b):
                try c.encode("bool", forKey: .type)
                try c.encode(b, forKey: .value)
            case .int64(let i):
                try c.encode("int64", forKey: .type)
                try c.encode(i, forKey: .value)
            case .float64(let d):
                try c.encode("float64", forKey: .type)
                try c.encode(d, forKey: .value)
            }
        }

        private static func jsonText(_ values: some Encodable) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return (try? encoder.encode(values)).flatMap { String(decoding: $0, as: UTF8.self) } ?? "[]"
        }
    }

    /// `{"refType": "CHILD_OF" | "FOLLOWS_FROM", "traceID", "spanID"}`.
    public struct Reference: Encodable, Hashable, Sendable {
        public enum RefType: String, Encodable, Sendable {
            case childOf = "CHILD_OF"
            case followsFrom = "FOLLOWS_FROM"
        }

        public var refType: RefType
        public var traceID: String
        public var spanID: String
    }

    /// A span event: `{"timestamp": µs, "fields": [KeyValue]}`, the event's name as field `event`.
    public struct Log: Encodable, Hashable, Sendable {
        public var timestamp: UInt64
        public var fields: [KeyValue]
    }

    /// `{"serviceName", "tags"}`: a span's resource.
    public struct Process: Encodable, Hashable, Sendable {
        public var serviceName: String
        public var tags: [KeyValue]
    }

    /// One span. `startTime` (Unix) and `duration` are whole microseconds; `warnings` is null.
    public struct Span: Encodable, Hashable, Sendable {
        public var traceID: String
        public var spanID: String
        public var flags: UInt32
        public var operationName: String
        public var references: [Reference]
        public var startTime: UInt64
        public var duration: UInt64
        public var tags: [KeyValue]
        public var logs: [Log]
        public var processID: String

        enum CodingKeys: String, CodingKey {
            case traceID, spanID, flags, operationName, references, startTime, duration, tags, logs, processID, warnings
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(traceID, forKey: .traceID)
            try c.encode(spanID, forKey: .spanID)
            try c.encode(flags, forKey: .flags)
            try c.encode(operationName, forKey: .operationName)
            try c.encode(references, forKey: .references)
            try c.encode(startTime, forKey: .startTime)
            try c.encode(duration, forKey: .duration)
            try c.encode(tags, forKey: .tags)
            try c.encode(logs, forKey: .logs)
            try c.encode(processID, forKey: .processID)
            try c.encodeNil(forKey: .warnings)
        }
    }

    /// One trace: its spans (start order) and the processes they name; `warnings` is null.
    public struct Trace: Encodable, Hashable, Sendable {
        public var traceID: String
        public var spans: [Span]
        public var processes: [String: Process]

        enum CodingKeys: String, CodingKey { case traceID, spans, processes, warnings }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(traceID, forKey: .traceID)
            try c.encode(spans, forKey: .spans)
            try c.encode(processes, forKey: .processes)
            try c.encodeNil(forKey: .warnings)
        }
    }

    /// `{"name", "spanKind"}` of `GET /api/operations`; `spanKind` is empty for an unspecified kind.
    public struct Operation: Encodable, Hashable, Sendable {
        public var name: String
        public var spanKind: String

        public init(_ operation: ServiceOperation) {
            name = operation.name
            spanKind = SpanTags.kind(operation.kind) ?? ""
        }
    }

    /// `{"parent", "child", "callCount"}`: `parent` called (or sent messages to) `child`.
    public struct DependencyLink: Encodable, Hashable, Sendable {
        public var parent: String
        public var child: String
        public var callCount: UInt64

        public init(parent: String, child: String, callCount: UInt64) {
            self.parent = parent
            self.child = child
            self.callCount = callCount
        }
    }

    /// `{"code", "msg"}` of a failed call.
    public struct Failure: Encodable, Hashable, Sendable {
        public var code: Int
        public var msg: String

        public init(code: Int, msg: String) {
            self.code = code
            self.msg = msg
        }
    }

    /// Every answer's envelope: `{"data", "total", "limit", "offset", "errors"}`; `errors` is
    /// null on success, `data` null on failure.
    public struct Response<Data: Encodable & Sendable>: Encodable, Sendable {
        public var data: Data?
        public var total: Int
        public var errors: [Failure]?

        /// A successful answer; `total` is the number of items (Jaeger sets it on lists it counts).
        public init(data: Data, total: Int = 0) {
            self.data = data
            self.total = total
            self.errors = nil
        }

        enum CodingKeys: String, CodingKey { case data, total, limit, offset, errors }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if let data { try c.encode(data, forKey: .data) } else { try c.encodeNil(forKey: .data) }
            try c.encode(total, forKey: .total)
            try c.encode(0, forKey: .limit)
            try c.encode(0, forKey: .offset)
            if let errors { try c.encode(errors, forKey: .errors) } else { try c.encodeNil(forKey: .errors) }
        }
    }

    /// A failed call's answer: `{"data": null, "total": 0, "limit": 0, "offset": 0, "errors": [{"code", "msg"}]}`.
    public static func failure(code: Int, _ message: String) -> Response<[String]> {
        var response = Response<[String]>(data: [])
        response.data = nil
        response.errors = [Failure(code: code, msg: message)]
        return response
    }
}
