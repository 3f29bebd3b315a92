import ChoreoModel
import Logging

extension BatchSpanProcessor {
    /// Exports batches while any is due, unsent ones first; with `final`, everything (waiting
    /// out the retry backoff), then stops accepting spans. Returns when cancelled.
    func exportDueBatches(final: Bool = false) async {
        while !Task.isCancelled {
            if let batch = state.withLock({ $0.firstUnsent }) {
                if !final, let due = retry.withLock({ $0.due }), clock.now < due {
                    setAsideDueBatches()
                    break
                }
                let outcome = await attempt(batch)
                switch outcome {
                case .exported, .failed:
                    state.withLock { $0.finishUnsent(succeeded: outcome == .exported) }
                    if outcome == .exported { retry.withLock { $0.reset() } }
                case .retryLater:
                    let due = scheduleRetry()
                    if final {
                        do { try await clock.sleep(until: due, tolerance: nil) } catch { return }
                    }
                case .cancelled:
                    return
                }
                continue
            }
            guard let batch = state.withLock({ $0.nextBatch(final: final) }) else { break }
            let outcome = await attempt(batch)
            switch outcome {
            case .exported, .failed:
                let (waiters, previous) = state.withLock { state in
                    (state.finishExport(count: batch.count, succeeded: outcome == .exported), state.keepFinished(batch))
                }
                resume(waiters)
                // What the spans' ends had not released of the batch before (a quiet tracer).
                withExtendedLifetime(previous) {}
                if outcome == .exported { retry.withLock { $0.reset() } }
            case .retryLater, .cancelled:
                keepUnsent(batch)
                if outcome == .cancelled { return }
                _ = scheduleRetry()
            }
        }
        resume(state.withLock { $0.takeSatisfiedWaiters() })
    }

    /// While the endpoint is failing, due batches join the unsent ones without an attempt, so
    /// the queue keeps room for new spans.
    private func setAsideDueBatches() {
        while let batch = state.withLock({ $0.nextBatch() }) { keepUnsent(batch) }
    }

    private func keepUnsent(_ batch: [any ReadableSpan]) {
        let (evicted, waiters) = state.withLock { $0.deferBatch(batch) }
        resume(waiters)
        if evicted > 0 {
            logger.warning(
                "Unsent spans over the bound; the oldest are dropped",
                metadata: ["evicted": "\(evicted)", "max_unsent_spans": "\(configuration.maxUnsentSpans)"]
            )
        }
    }

    /// The next attempt's time, after the backoff (with jitter).
    private func scheduleRetry() -> C.Instant {
        let now = clock.now
        return retry.withLock { schedule in
            let due = now.advanced(by: schedule.nextDelay())
            schedule.due = due
            return due
        }
    }

    /// Exports one batch and classifies the outcome; never throws.
    private func attempt(_ batch: [any ReadableSpan]) async -> ExportOutcome {
        do {
            try await exporter.export(batch)
            return .exported
        } catch let error as ChoreoTracerError where error.code == .exportRetriesExhausted {
            if Task.isCancelled { return .cancelled }
            logger.warning(
                "Span export failed; the batch is kept and retried later",
                metadata: ["batch_size": "\(batch.count)", "error": "\(error)"]
            )
            return .retryLater
        } catch {
            if Task.isCancelled || error is CancellationError { return .cancelled }
            logger.warning(
                "Span export failed for good; the batch is lost",
                metadata: ["batch_size": "\(batch.count)", "error": "\(error)"]
            )
            return .failed
        }
    }
}
