import ChoreoAgent
import Testing

/// A next hop's `Retry-After` is honoured within bounds: a huge one cannot park the spool for
/// years, a negative one cannot turn retries into a busy loop.
@Suite("Retry-After")
struct RetryAfterTests {
    static func wait(_ header: String?) -> Duration?? {
        guard case .retryable(_, let wait) = classify(status: 503, retryAfter: header) else { return nil }
        return .some(wait)
    }

    @Test("seconds are honoured up to the cap")
    func honouredUpToTheCap() {
        #expect(Self.wait("3") == .some(.seconds(3)))
        #expect(Self.wait(" 0 ") == .some(.zero))
        #expect(Self.wait("60") == .some(maxRetryAfter))
        #expect(Self.wait("9223372036854775807") == .some(maxRetryAfter), "years become the cap")
        #expect(Self.wait("86400") == .some(maxRetryAfter))
    }

    @Test("negative, unreadable or date values leave the wait to the backoff")
    func othersLeaveItToTheBackoff() {
        for header in ["-5", "soon", "Wed, 21 Oct 2026 07:28:00 GMT", "99999999999999999999", ""] {
            #expect(Self.wait(header) == .some(nil), "\(header)")
        }
        #expect(Self.wait(nil) == .some(nil))
    }
}
