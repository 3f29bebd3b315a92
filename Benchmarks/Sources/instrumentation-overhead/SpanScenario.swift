import BenchSupport
import Foundation
import Tracing

/// The OpenTelemetry Go anchor's work, per span: a child span of one parent, started, given two
/// attributes (`messaging.message.id` = "m", `n` = the loop index) and ended, through the
/// tracer's batch processor to an exporter that discards. One run is `spans` such spans and the
/// parent, then the processor is flushed (`flush`) so its export work is inside the measurement.
struct SpanScenario: Sendable {
    var spans: Int

    /// Runs once with `tracer`; `flush` returns when the tracer's processor has taken everything.
    func run(_ tracer: any Tracer, flush: () async -> Void) async {
        let parent = tracer.startSpan("parent", context: .topLevel, ofKind: .internal)
        let context = parent.context
        for index in 0..<spans {
            tracer.withSpan("child", context: context, ofKind: .producer) { span in
                span.attributes["messaging.message.id"] = "m"
                span.attributes["n"] = index
            }
        }
        parent.end()
        await flush()
    }
}

/// The OpenTelemetry Go SDK anchor (`../shared/anchors/otel-go/run`), run as a child process:
/// its printed CPU ns per span (median of its own runs), or nil when it cannot run.
enum GoAnchor {
    static func measure(path: String, runs: Int, spans: Int) -> (nanoseconds: Double, line: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [String(runs), String(spans)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        // "otel-go withSpan per span: 2817 ns CPU (median of 9 runs, ...)"
        guard let line = text.split(separator: "\n").last(where: { $0.contains("ns CPU") }),
            let range = line.range(of: "per span: "),
            let value = Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
        else { return nil }
        return (value, String(line))
    }
}
