import ChoreoModel
import Logging

extension Forwarder {
    /// What became of one batch (or piece of one).
    enum Delivery {
        /// Accepted, or refused for good and counted: move on.
        case done
        /// Too large for the next hop: send these two instead, in order.
        case split(OutgoingBatch, OutgoingBatch)
        /// Shutting down with the next hop unreachable; the spool keeps the spans.
        case stop
        /// Shutting down with the next hop unreachable; the in-memory spans are dropped.
        case abandoned
    }

    /// Sends one batch until all of it is accepted or rejected for good, or the shutdown
    /// deadline passes. A batch the next hop refuses as too large (413), or that exceeds
    /// ``AgentConfiguration/upstream`` once compressed, is split and its pieces sent in order;
    /// only a single span refused as too large is dropped. Returns false when forwarding must
    /// stop (shutdown with the spans left in the spool).
    func forward(_ batch: OutgoingBatch, deadline: inout C.Instant?) async -> Bool {
        var pending = [batch]  // the pieces still to send; the next one last
        while let next = pending.popLast() {
            switch await deliver(next, deadline: &deadline) {
            case .done:
                continue
            case .split(let first, let second):
                pending.append(second)
                pending.append(first)
            case .stop:
                return false
            case .abandoned:
                let lost = next.spanCount + pending.reduce(0) { $0 + $1.spanCount }
                droppedShutdown.add(lost)
                logger.error("shutting down with the collector unreachable; dropped \(lost) spans")
                return true
            }
        }
        return true
    }

    /// Sends one batch, retrying retryable failures with backoff.
    private func deliver(_ batch: OutgoingBatch, deadline: inout C.Instant?) async -> Delivery {
        let spanCount = batch.spanCount
        let body = ForwardingBody.compress(batch.payload)
        if !configuration.upstream.admits(spanCount: spanCount, payloadBytes: batch.payload.count, bodyBytes: body.count),
            let (first, second) = batch.halves()
        {
            logger.debug(
                "batch over the upstream limits; split in two",
                metadata: [
                    "spans": "\(spanCount)", "bytes": "\(batch.payload.count)", "compressed_bytes": "\(body.count)",
                ])
            return .split(first, second)
        }
        var retry = 0
        while true {
            switch await sender.send(body) {
            case .accepted:
                source.acknowledge(batch)
                sentSpans.add(spanCount)
                sentBatches.add()
                return .done
            case .permanent(let reason):
                source.acknowledge(batch)
                droppedRejected.add(spanCount)
                logger.error("the collector rejected \(spanCount) spans for good; dropped", metadata: ["reason": "\(reason)"])
                return .done
            case .tooLarge(let reason):
                return refusedAsTooLarge(batch, reason: reason)
            case .retryable(let reason, let retryAfter):
                if shuttingDown.load(ordering: .relaxed) {
                    deadline = deadline ?? clock.now.advanced(by: configuration.shutdownGrace)
                }
                if Task.isCancelled || deadline.map({ clock.now >= $0 }) == true {
                    guard source.isDurable else { return .abandoned }
                    logger.warning("shutting down with the collector unreachable; the spans stay in the spool", metadata: ["reason": "\(reason)"])
                    return .stop
                }
                retries.add()
                logger.warning("forwarding failed; retrying", metadata: ["reason": "\(reason)", "spans": "\(spanCount)"])
                retry += 1
                let wait = retryAfter ?? jittered(beforeRetry: retry)
                try? await clock.sleep(for: wait)
            }
        }
    }

    /// A 413: the batch in two halves, or, for a single span, dropped and counted.
    private func refusedAsTooLarge(_ batch: OutgoingBatch, reason: String) -> Delivery {
        if let (first, second) = batch.halves() {
            logger.notice(
                "the collector refused a batch as too large; splitting it in two",
                metadata: [
                    "reason": "\(reason)", "spans": "\(batch.spanCount)", "bytes": "\(batch.payload.count)",
                ])
            return .split(first, second)
        }
        source.acknowledge(batch)
        droppedRejected.add(batch.spanCount)
        logger.error(
            "the collector refused a single span as too large; dropped",
            metadata: [
                "reason": "\(reason)", "spans": "\(batch.spanCount)", "bytes": "\(batch.payload.count)",
            ])
        return .done
    }

    /// The wait before retry `retry` (1-based): ``AgentConfiguration/backoff``, equal jitter.
    func jittered(beforeRetry retry: Int) -> Duration {
        jitter.withLock { configuration.backoff.delay(beforeRetry: retry, using: &$0) }
    }
}
