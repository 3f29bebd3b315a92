import ChoreoCollector
import ChoreoServer
import ChoreoStore
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// The real collector server on a loopback port chosen by the system, with short limits.
enum LiveCollector {
    static func run(limits: HTTPServerLimits, _ body: @Sendable (_ port: Int) async throws -> Void) async throws {
        var configuration = CollectorConfiguration(host: "127.0.0.1", port: 0)
        configuration.databasePath = "/nonexistent/choreo-\(UUID().uuidString).sqlite"
        let app = CollectorApp(configuration: configuration, store: InMemorySpanStore(), logger: Logger(label: "test"))
        let listening = ListenSignal()
        let group = ServiceGroup(
            services: [app.makeApplication(limits: limits, onServerRunning: listening.serverRunning)], logger: Logger(label: "test")
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await listening.wait()
            let port = try #require(listening.port)
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

@Suite("Connection limits", .timeLimit(.minutes(1)))
struct ConnectionLimitsTests {
    /// Long enough never to decide a test by itself.
    static let generous = Duration.seconds(20)
    static let short = Duration.milliseconds(300)

    @Test("a connection that sends nothing is closed after the idle timeout")
    func idleConnectionClosed() async throws {
        try await LiveCollector.run(limits: HTTPServerLimits(idleTimeout: Self.short, headerTimeout: .seconds(60))) { port in
            let connection = try RawConnection(port: port)
            let received = try await connection.readUntilClosed(within: Self.generous)
            #expect(received.isEmpty, "closed without an answer")
        }
    }

    @Test("a keep-alive connection is answered, then closed once idle")
    func keepAliveThenIdle() async throws {
        try await LiveCollector.run(limits: HTTPServerLimits(idleTimeout: Self.short)) { port in
            let connection = try RawConnection(port: port)
            try connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            let received = String(decoding: try await connection.readUntilClosed(within: Self.generous), as: UTF8.self)
            #expect(received.hasPrefix("HTTP/1.1 200"), "\(received)")
        }
    }

    @Test("a head trickled past the header timeout is answered 408 with a JSON body and closed, long before the idle timeout")
    func slowHead() async throws {
        try await LiveCollector.run(limits: HTTPServerLimits(idleTimeout: .seconds(600), headerTimeout: Self.short)) { port in
            let connection = try RawConnection(port: port)
            try connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: ")
            let received = String(decoding: try await connection.readUntilClosed(within: Self.generous), as: UTF8.self)
            #expect(received.hasPrefix("HTTP/1.1 408"), "\(received)")
            #expect(received.contains("application/json") && received.contains(#""error""#), "\(received)")
        }
    }

    @Test("a body trickled past the body timeout closes the connection, long before the idle timeout")
    func slowBody() async throws {
        try await LiveCollector.run(limits: HTTPServerLimits(idleTimeout: .seconds(600), bodyTimeout: Self.short)) { port in
            let connection = try RawConnection(port: port)
            try connection.send(
                "POST /v1/traces HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"resourceSpans\""
            )
            _ = try await connection.readUntilClosed(within: Self.generous)
        }
    }

    @Test("a URL or header fields over the limit are answered 431 with a JSON body", arguments: ["url", "fields", "count"])
    func oversizedHead(kind: String) async throws {
        try await LiveCollector.run(limits: HTTPServerLimits(maxHeaderBytes: 2048, maxHeaderFields: 20)) { port in
            let connection = try RawConnection(port: port)
            let path = kind == "url" ? "/api/v1/flows?type=" + String(repeating: "a", count: 4096) : "/healthz"
            var head = "GET \(path) HTTP/1.1\r\nHost: test\r\n"
            if kind == "fields" { head += (0..<10).map { "X-Pad-\($0): \(String(repeating: "b", count: 300))\r\n" }.joined() }
            if kind == "count" { head += (0..<30).map { "X-Many-\($0): c\r\n" }.joined() }
            try connection.send(head + "\r\n")
            let received = String(decoding: try await connection.readUntilClosed(within: Self.generous), as: UTF8.self)
            #expect(received.hasPrefix("HTTP/1.1 431"), "\(received.prefix(300))")
            #expect(received.contains("exceed 2048 bytes"), "\(received.prefix(300))")
        }
    }

    @Test("requests within every limit are answered as usual, several on one connection")
    func normalRequests() async throws {
        try await LiveCollector.run(limits: HTTPServerLimits(idleTimeout: .seconds(5), headerTimeout: .seconds(5))) { port in
            let connection = try RawConnection(port: port)
            try connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\nGET /readyz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            let received = String(decoding: try await connection.readUntilClosed(within: Self.generous), as: UTF8.self)
            #expect(received.components(separatedBy: "HTTP/1.1 200").count == 3, "two answers: \(received)")
        }
    }
}
