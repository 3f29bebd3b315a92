import ChoreoTestSupport
import ChoreoModel
import ChoreoTracer
import Foundation
import Testing

@Suite("ExportLog: the ids of acknowledged spans")
struct ExportLogTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("export-log-\(UUID().uuidString).txt").path
    }

    private func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    private func line(_ index: Int) -> String {
        let span = spanRecord(index)
        return "\(span.traceID.hex) \(span.spanID.hex)"
    }

    @Test("only batches the wrapped exporter delivered are logged, one line per span, written at shutdown")
    func onlyAcknowledged() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let exporter = ScriptedExporter(script: [.deliver, .reject, .unreachable, .deliver])
        let log = try ExportLog(wrapping: exporter, path: path)
        var thrown = 0
        for batch in 0..<4 {
            do {
                try await log.export([spanRecord(batch * 2), spanRecord(batch * 2 + 1)])
            } catch {
                thrown += 1
            }
        }
        #expect(thrown == 2)
        #expect(try lines(path).isEmpty, "lines are buffered until shutdown")
        await log.shutdown()
        let logged = try lines(path)
        #expect(logged == [0, 1, 6, 7].map(line))
        #expect(logged.allSatisfy { $0.count == 32 + 1 + 16 })
        #expect(exporter.deliveredNames == ["span-0", "span-1", "span-6", "span-7"])
    }

    @Test("behind the batch processor: rejected spans are not logged, spans delivered after an outage are logged once")
    func behindProcessor() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let exporter = ScriptedExporter(script: [.reject, .unreachable])
        let processor = BatchSpanProcessor(
            exporter: try ExportLog(wrapping: exporter, path: path),
            configuration: BatchSpanProcessorConfiguration(
                maxQueueSize: 100, maxExportBatchSize: 2, scheduleDelay: .seconds(3600), maxUnsentSpans: 100,
                retryInitialBackoff: .seconds(1), retryMaxBackoff: .seconds(4), shutdownTimeout: .seconds(5)
            ),
            clock: TestClock(.manual)
        )
        for i in 0..<6 { processor.onEnd(spanRecord(i)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            await processor.forceFlush()
            processor.shutdown()
            try await group.waitForAll()
        }
        let logged = try lines(path)
        #expect(processor.counters.failed == 2 && processor.counters.exported == 4)
        #expect(Set(logged) == Set((2..<6).map(line)))
        #expect(logged.count == 4, "no span logged twice")
    }

    @Test("an existing log is appended to; an unwritable path is a configuration error")
    func appendsAndValidates() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "earlier run\n".write(toFile: path, atomically: true, encoding: .utf8)
        let log = try ExportLog(wrapping: ScriptedExporter(), path: path)
        try await log.export([spanRecord(3)])
        await log.shutdown()
        #expect(try lines(path) == ["earlier run", line(3)])

        let error = #expect(throws: ChoreoTracerError.self) {
            try ExportLog(wrapping: ScriptedExporter(), path: "/nonexistent-dir-\(UUID().uuidString)/log")
        }
        #expect(error?.code == .invalidConfiguration)
    }
}
