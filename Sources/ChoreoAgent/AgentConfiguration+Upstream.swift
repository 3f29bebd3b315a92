/// A configuration whose batching cannot fit the next hop's limits.
public struct UpstreamLimitsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, as a stable code.
    public enum Code: String, Sendable {
        /// A limit is below its smallest useful value.
        case limitTooSmall
        /// `--batch-size` exceeds `--upstream-max-spans-per-request`.
        case batchOverLimit
    }

    /// What is wrong.
    public let code: Code
    /// What is wrong and which flag to change.
    public let message: String

    public var description: String { message }
}

extension AgentConfiguration {
    /// Refuses upstream limits that are unusable, and a batch size beyond the span limit (every
    /// batch would be refused by the next hop and split again).
    public func validateUpstreamLimits() throws(UpstreamLimitsError) {
        guard upstream.maxSpansPerRequest >= 1 else {
            throw UpstreamLimitsError(
                code: .limitTooSmall,
                message: "--upstream-max-spans-per-request must be at least 1; got \(upstream.maxSpansPerRequest)"
            )
        }
        for (flag, value) in [("--upstream-max-body-bytes", upstream.maxBodyBytes), ("--upstream-max-decompressed-bytes", upstream.maxDecompressedBytes)]
        where value < 1024 {
            throw UpstreamLimitsError(code: .limitTooSmall, message: "\(flag) must be at least 1KiB (the collector's smallest); got \(value)")
        }
        guard batchMaxSpans <= upstream.maxSpansPerRequest else {
            throw UpstreamLimitsError(
                code: .batchOverLimit,
                message: """
                    --batch-size \(batchMaxSpans) exceeds --upstream-max-spans-per-request \(upstream.maxSpansPerRequest): \
                    the collector would refuse every full batch. Lower --batch-size, or raise \
                    --upstream-max-spans-per-request to match the collector's --max-spans-per-request.
                    """
            )
        }
    }
}
