/// Which time limit a connection's request reading is under (pure; ``RequestReadGuard`` runs it).
///
/// A request's head (request line and header fields) must arrive within the header timeout of
/// its first byte, and its body within the body timeout of its head: a client trickling bytes
/// (slowloris, slow POST) cannot hold a connection and a request handler for long. Between
/// requests no limit of ours applies (the idle timeout does).
struct RequestReadState: Equatable {
    enum Phase: Equatable {
        /// No request is being read.
        case idle
        /// A request's first bytes arrived, its head has not been parsed yet.
        case head
        /// The head was parsed, the body has not ended yet.
        case body
    }

    /// The limit to start, or that none applies any more.
    enum Action: Equatable {
        case none
        case startHeaderTimer
        case startBodyTimer
        case stopTimer
    }

    private(set) var phase = Phase.idle
    /// Requests whose head was read and whose response has not ended.
    private(set) var unanswered = 0

    /// Bytes arrived: the first bytes of a request start its header timer.
    mutating func bytesReceived() -> Action {
        guard phase == .idle else { return .none }
        phase = .head
        return .startHeaderTimer
    }

    /// The decoder produced a request head: the body timer replaces the header timer.
    mutating func headReceived() -> Action {
        phase = .body
        unanswered += 1
        return .startBodyTimer
    }

    /// The decoder produced a request's end: no limit until the next request's bytes.
    mutating func endReceived() -> Action {
        phase = .idle
        return .stopTimer
    }

    /// A response ended.
    mutating func responseEnded() {
        unanswered = max(0, unanswered - 1)
    }

    /// True when no response is owed, so an answer of our own cannot interleave with one.
    var mayAnswer: Bool { unanswered == 0 }
}
