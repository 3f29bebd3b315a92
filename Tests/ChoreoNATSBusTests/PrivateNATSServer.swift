import ChoreoTestSupport
import Testing

/// A nats-server of one test's own (scripts/nats-test-server.sh in a directory of its own), so
/// the test can restart or kill it without disturbing the shared test server.
typealias PrivateNATSServer = ScriptedTestServer

extension ScriptedTestServer {
    /// Whether nats-server is on the PATH (the restart tests need one of their own).
    static var isInstalled: Bool { Kind.nats.isInstalled }

    static let skipReason: Comment = "skipped: nats-server is not installed (apt-get install nats-server); the restart tests start one of their own"

    /// Starts a server with JetStream in a fresh directory.
    static func start() async throws -> ScriptedTestServer { try await start(.nats) }
}
