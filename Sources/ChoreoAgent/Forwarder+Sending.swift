import ChoreoOTLP
import Logging

extension Forwarder {
    /// Sends one batch until it is accepted, rejected for good, or the shutdown deadline
    /// passes. Returns false when forwarding must stop (shutdown with the spans left in the spool).
    func forward(_ batch: OutgoingBatch, deadline: inout C.Instant?) async -> Bool {
        let spanCount = batch.spanCount
        guard let payload = batch.payload else {
            droppedRejected.add(spanCount)
            logger.error("dropped \(spanCount) spans: cannot encode them")
            source.acknowledge(batch)
            return true
        }
        // Level 1: several times faster than the default 6 for a slightly larger body; the
        // agent's CPU, not the link to the collector, is what limits forwarding.
        let body = Gzip.compress(payload, level: 1)
        var backoff = configuration.initialBackoff
        while true {
            switch await sender.send(body) {
            case .accepted:
                source.acknowledge(batch)
                sentSpans.add(spanCount)
                sentBatches.add()
                return true
            case .permanent(let reason):
                source.acknowledge(batch)
                droppedRejected.add(spanCount)
                logger.error("the collector rejected \(spanCount) spans for good; dropped", metadata: ["reason": "\(reason)"])
                return true
            case .retryable(let reason, let retryAfter):
                if shuttingDown.load(ordering: .relaxed) {
                    deadline = deadline ?? clock.now.advanced(by: configuration.shutdownGrace)
                }
                if Task.isCancelled || deadline.map({ clock.now >= $0 }) == true {
                    if source.isDurable {
                        logger.warning("shutting down with the collector unreachable; the spans stay in the spool", metadata: ["reason": "\(reason)"])
                        return false
                    }
                    droppedShutdown.add(spanCount)
                    logger.error("shutting down with the collector unreachable; dropped \(spanCount) spans", metadata: ["reason": "\(reason)"])
                    return true
                }
                retries.add()
                logger.warning("forwarding failed; retrying", metadata: ["reason": "\(reason)", "spans": "\(spanCount)"])
                let wait = retryAfter ?? jittered(backoff)
                backoff = min(backoff * 2, configuration.maxBackoff)
                try? await clock.sleep(for: wait)
            }
        }
    }

    /// Full jitter: a random wait between half the backoff and the backoff.
    func jittered(_ backoff: Duration) -> Duration {
        let fraction = jitter.withLock { Double($0.next() % 1_000_000) / 1_000_000 }
        return backoff * (0.5 + fraction / 2)
    }
}
