import AsyncHTTPClient
import NIOCore
import Synchronization

/// Senders posting one pre-encoded OTLP protobuf request over and over, as fast as the
/// receiver acknowledges, from `senders` concurrent connections until the deadline.
enum Load {
    /// Spans acknowledged with 200, and requests refused (503/429, retried after 20 ms).
    struct Outcome {
        var acknowledgedSpans: Int
        var refused: Int
    }

    static func run(
        url: String, body: [UInt8], spansPerRequest: Int, senders: Int, for duration: Duration, client: HTTPClient
    ) async throws -> Outcome {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        let buffer = ByteBuffer(bytes: body)
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            for _ in 0..<senders {
                group.addTask {
                    var outcome = Outcome(acknowledgedSpans: 0, refused: 0)
                    while clock.now < deadline {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
                        request.body = .bytes(buffer)
                        let response = try await client.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        if response.status == .ok {
                            outcome.acknowledgedSpans += spansPerRequest
                        } else {
                            outcome.refused += 1
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                    return outcome
                }
            }
            return try await group.reduce(into: Outcome(acknowledgedSpans: 0, refused: 0)) {
                $0.acknowledgedSpans += $1.acknowledgedSpans
                $0.refused += $1.refused
            }
        }
    }
}
