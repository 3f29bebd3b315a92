import CNATS
import ChoreoInstrumentation
import ChoreoTestSupport
import Dispatch
import Synchronization
import Testing

@testable import ChoreoNATSBus

/// Declaring the bus's streams against a real nats-server when several processes do it at once.
@Suite("NATS bus: declaring streams", .serialized, .enabled(if: PrivateNATSServer.isInstalled, PrivateNATSServer.skipReason), .timeLimit(.minutes(2)))
struct NATSBusDeclarationTests {
    /// The services of one system start together, and each declares the message stream, the
    /// dead-letter stream and the attempt bucket. nats-server checks a new stream's name and its
    /// subjects in separate steps, so the loser of two concurrent creates of one stream could
    /// hear "subjects overlap with an existing stream" and fail to start: CI saw the NATS
    /// order-fulfilment run die at start-up this way. Eight connections declare at once, on 150
    /// fresh systems; with the overlap taken as a failure, about one round in fifteen failed.
    @Test("eight processes declaring one new system's streams at once all succeed")
    func concurrentDeclarations() async throws {
        let server = try await PrivateNATSServer.start()
        defer { server.stopBlocking() }
        let base = try NATSBus.Configuration(url: server.url)
        let connections = try (0..<8).map { _ in try NATSConnection(configuration: base) }
        defer { connections.forEach { $0.close() } }
        let failures = Mutex<[String]>([])
        for round in 0..<150 {
            var configuration = base
            configuration.system = "declare_\(round)_\(UInt32.random(in: 0...UInt32.max))"
            let system = configuration
            DispatchQueue.concurrentPerform(iterations: connections.count) { index in
                do { try connections[index].declareStreams(system) } catch { failures.withLock { $0.append("round \(round): \(error)") } }
            }
        }
        let failed = failures.withLock { $0 }
        #expect(failed.isEmpty, "\(failed.count) declarations failed, e.g. \(failed.prefix(3))")
    }

    /// The other side of the same rule: when another stream really holds the subjects, the
    /// overlap is an error that names it, not something the update papers over.
    @Test("a stream whose subjects another stream holds is refused with the overlap")
    func realOverlapIsReported() async throws {
        let server = try await PrivateNATSServer.start()
        defer { server.stopBlocking() }
        var configuration = try NATSBus.Configuration(url: server.url)
        configuration.system = "owner_\(UInt32.random(in: 0...UInt32.max))"
        let connection = try NATSConnection(configuration: configuration)
        defer { connection.close() }
        try connection.declareStreams(configuration)
        var code = jsErrCode(0)
        let status = choreo_nats_declare_stream(
            connection.jetStream, "intruder", configuration.names.streamSubjects, configuration.retention.nanoseconds,
            configuration.duplicateWindow.nanoseconds, &code)
        #expect(status != NATS_OK)
        #expect(code == JSStreamSubjectOverlapErr, "error code \(code.rawValue)")
    }
}
