import ChoreoModel
import Foundation

/// Trace and span ids to and from OTLP's `bytes` fields (big-endian, 16 and 8 bytes).
enum OTLPIDs {
    static func data(_ id: TraceID) -> Data {
        var data = Data(count: 16)
        data.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: id.high.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: id.low.bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        return data
    }

    static func data(_ id: SpanID) -> Data {
        withUnsafeBytes(of: id.value.bigEndian) { Data($0) }
    }

    /// A trace id from exactly 16 bytes, or nil.
    static func traceID(_ data: Data) -> TraceID? {
        guard data.count == 16 else { return nil }
        return data.withUnsafeBytes { raw in
            TraceID(
                high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    /// A span id from exactly 8 bytes, or nil.
    static func spanID(_ data: Data) -> SpanID? {
        guard data.count == 8 else { return nil }
        return data.withUnsafeBytes { raw in
            SpanID(UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        }
    }
}
