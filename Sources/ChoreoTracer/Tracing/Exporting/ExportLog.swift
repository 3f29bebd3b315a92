import ChoreoModel
import Foundation
import Synchronization

/// A ``SpanExporter`` decorator that records the id of every span its wrapped exporter delivered.
///
/// After each batch the wrapped exporter accepted (for ``OTLPHTTPExporter``: the endpoint
/// answered 2xx), one line `<32-hex trace id> <16-hex span id>` per span of the batch is appended
/// to the log. Batches whose export throws are not logged, so the file lists exactly the spans
/// the tracer handed over for good — the reference a test compares with what the collector stored.
///
/// Enabled in executables by `CHOREO_TRACER_EXPORT_LOG=FILE` (see ``ChoreoTracing/make(configuration:exportLogPath:logger:)``).
/// Lines are buffered in memory and written once 64 KiB are pending and at ``shutdown()``;
/// a process killed before it shuts down loses its pending lines. The file is created if
/// missing and appended to otherwise.
public final class ExportLog: SpanExporter {
    /// The environment variable naming the export log file.
    public static let environmentVariable = "CHOREO_TRACER_EXPORT_LOG"

    /// How many bytes are buffered before they are written.
    static let flushThreshold = 64 * 1024

    private struct State {
        var handle: FileHandle?
        var pending = Data()
    }

    private let wrapped: any SpanExporter
    private let state: Mutex<State>

    /// Wraps `exporter`, appending to the file at `path`.
    ///
    /// - Throws: ``ChoreoTracerError`` (`invalid_configuration`) when the file cannot be
    ///   created or opened for writing.
    public init(wrapping exporter: any SpanExporter, path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ChoreoTracerError.invalidConfiguration("\(Self.environmentVariable): cannot create '\(path)'")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ChoreoTracerError.invalidConfiguration("\(Self.environmentVariable): cannot open '\(path)' for writing")
        }
        handle.seekToEndOfFile()
        wrapped = exporter
        state = Mutex(State(handle: handle))
    }

    /// Exports through the wrapped exporter, then logs the batch's span ids; logs nothing when it throws.
    public func export(_ batch: [any ReadableSpan]) async throws {
        try await wrapped.export(batch)
        var lines = ""
        lines.reserveCapacity(batch.count * 50)
        for span in batch {
            lines += "\(span.traceID.hex) \(span.spanID.hex)\n"
        }
        state.withLock { state in
            state.pending.append(contentsOf: Data(lines.utf8))
            if state.pending.count >= Self.flushThreshold { Self.write(&state) }
        }
    }

    /// Writes the pending lines, closes the file, and shuts the wrapped exporter down.
    public func shutdown() async {
        state.withLock { state in
            Self.write(&state)
            try? state.handle?.close()
            state.handle = nil
        }
        await wrapped.shutdown()
    }

    private static func write(_ state: inout State) {
        guard !state.pending.isEmpty, let handle = state.handle else { return }
        try? handle.write(contentsOf: state.pending)
        state.pending.removeAll(keepingCapacity: true)
    }
}
