import Foundation
import OrderFulfilment
import Synchronization

/// A progress line on standard error, redrawn at most five times a second; silent when
/// standard error is not a terminal.
final class ProgressLine: Sendable {
    private let enabled: Bool
    private let state = Mutex<(last: ContinuousClock.Instant?, drawn: Bool)>((nil, false))

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Redraws the line if enough time has passed since the last one (always for the last order).
    func report(_ progress: RunProgress) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            let done = progress.settled >= progress.total
            guard done || state.last.map({ now - $0 >= .milliseconds(200) }) ?? true else { return false }
            state.last = now
            state.drawn = true
            return true
        }
        guard due else { return }
        let percent = progress.total > 0 ? progress.settled * 100 / progress.total : 100
        let line = "\r\u{1B}[Korders: \(progress.settled)/\(progress.total) settled (\(percent)%), \(progress.placed) placed"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Ends the line, if one was drawn.
    func finish() {
        guard state.withLock({ $0.drawn }) else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
