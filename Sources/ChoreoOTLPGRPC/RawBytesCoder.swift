import GRPCCore

/// Passes a gRPC message's bytes through as they are, in both directions.
///
/// The Export method is registered with it so that the receiver's own path decodes the request
/// (with the same limits and scans as over HTTP) from the very bytes that arrived, instead of
/// gRPC decoding it once into messages and the receiver decoding it again; the answer is an
/// `ExportTraceServiceResponse` the receiver has already encoded. Clients that hold encoded
/// requests (tests, benchmarks) send them with it too.
public struct RawBytesCoder: MessageSerializer, MessageDeserializer {
    public typealias Message = [UInt8]

    public init() {}

    public func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }

    public func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
