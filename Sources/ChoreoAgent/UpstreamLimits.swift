import ChoreoOTLP

/// What one request to the next hop (the collector) may carry; the agent refuses what exceeds
/// it at its receiver and never builds a batch beyond it.
///
/// The defaults are the collector's: `--max-spans-per-request` 10,000, `--max-body-bytes`
/// 16 MiB as received (gzip-compressed), and after decompression the cap that follows from its
/// default span and attribute limits (``OTLPRequestLimits/derived(maxSpans:maxAttributeBytes:)``:
/// 10,000 × (4,096 + 1,024) = 51,200,000 bytes). Lower them when the
/// next hop is configured lower; an agent that believes the next hop takes more than it does
/// still delivers (a 413 on a batch it built is split and resent), at the cost of round trips.
public struct UpstreamLimits: Sendable, Equatable {
    /// Spans in one forwarded request, at most (`--upstream-max-spans-per-request`).
    public var maxSpansPerRequest: Int
    /// Bytes of one forwarded request as sent, gzip-compressed, at most (`--upstream-max-body-bytes`).
    public var maxBodyBytes: Int
    /// Bytes of one forwarded request once decompressed (the serialized protobuf), at most
    /// (`--upstream-max-decompressed-bytes`).
    public var maxDecompressedBytes: Int

    /// Limits; by default the collector's.
    public init(
        maxSpansPerRequest: Int = 10_000, maxBodyBytes: Int = 16 << 20,
        maxDecompressedBytes: Int = UpstreamLimits.collectorDecompressedBytes
    ) {
        self.maxSpansPerRequest = maxSpansPerRequest
        self.maxBodyBytes = maxBodyBytes
        self.maxDecompressedBytes = maxDecompressedBytes
    }

    /// The collector's default cap on a decoded request body (51,200,000 bytes).
    public static let collectorDecompressedBytes =
        OTLPRequestLimits.derived(maxSpans: 10_000, maxAttributeBytes: 4096).maxDecodedBytes

    /// What the agent's own receiver accepts of one request, checked on the wire bytes before
    /// decoding: no more spans than one upstream request may carry, the elements that follow
    /// from them, and at most `receiverDecodedBytes` (and the upstream cap) once decompressed.
    func receiverLimits(receiverDecodedBytes: Int) -> OTLPRequestLimits {
        var limits = OTLPRequestLimits.derived(maxSpans: maxSpansPerRequest, maxAttributeBytes: 0)
        limits.maxDecodedBytes = min(receiverDecodedBytes, maxDecompressedBytes)
        return limits
    }

    /// The refusal naming the `--upstream-*` flag behind a limit the receiver's wire scan
    /// found crossed; nil when the limit is not an upstream one (malformed bodies, the agent's
    /// own smaller cap).
    func refusal(for error: OTLPDecodingError, receiverDecodedBytes: Int) -> String? {
        switch error.code {
        case .tooManySpans:
            return "the request holds more than \(maxSpansPerRequest) spans, more than one request to the collector may carry "
                + "(--upstream-max-spans-per-request); send smaller batches"
        case .tooLarge where maxDecompressedBytes <= receiverDecodedBytes:
            return "the request is over \(maxDecompressedBytes) bytes once decompressed, more than one request to the collector "
                + "may carry (--upstream-max-decompressed-bytes); send smaller batches"
        default:
            return nil
        }
    }

    /// Why one request of `spanCount` spans serialized as `serialized` (uncompressed protobuf)
    /// could never be forwarded in one piece, or nil when it can. The message names the flag.
    ///
    /// The compressed size is only computed when the request might exceed ``maxBodyBytes``
    /// gzip-compressed (deflate never grows data by more than ~0.03% plus a header).
    func refusal(spanCount: Int, serialized: [UInt8]) -> String? {
        if spanCount > maxSpansPerRequest {
            return "the request holds \(spanCount) spans, more than the \(maxSpansPerRequest) one request to the collector may carry "
                + "(--upstream-max-spans-per-request); send smaller batches"
        }
        if serialized.count > maxDecompressedBytes {
            return "the request is \(serialized.count) bytes as protobuf, more than the \(maxDecompressedBytes) one request to the "
                + "collector may carry decompressed (--upstream-max-decompressed-bytes); send smaller batches"
        }
        if serialized.count + serialized.count / 1024 + 1024 > maxBodyBytes {
            let compressed = ForwardingBody.compress(serialized).count
            if compressed > maxBodyBytes {
                return "the request is \(compressed) bytes gzip-compressed, more than the \(maxBodyBytes) one request to the "
                    + "collector may carry (--upstream-max-body-bytes); send smaller batches"
            }
        }
        return nil
    }

    /// True when a forwarded request with `spanCount` spans, `payloadBytes` serialized and
    /// `bodyBytes` compressed is within every limit.
    func admits(spanCount: Int, payloadBytes: Int, bodyBytes: Int) -> Bool {
        spanCount <= maxSpansPerRequest && payloadBytes <= maxDecompressedBytes && bodyBytes <= maxBodyBytes
    }
}

/// The body of a forwarded request: the serialized request, gzip-compressed.
enum ForwardingBody {
    /// Compresses a serialized request as the forwarder sends it. Level 1: several times faster
    /// than the default 6 for a slightly larger body; the agent's CPU, not the link to the
    /// collector, is what limits forwarding.
    static func compress(_ payload: [UInt8]) -> [UInt8] {
        Gzip.compress(payload, level: 1)
    }
}
