import BenchSupport
import ChoreoModel
import ChoreoStore
import Foundation
import RawSQLite

// store-append: spans/s appended straight to SQLiteSpanStore (no ingest queue, no HTTP), with
// synchronous = FULL (the default: durable at commit) and NORMAL, and the file size it leaves.
// Moved here from the test suite (ChoreoStoreTests' AppendThroughputMeasurement), where it asserted nothing.
let arguments = Arguments()
if arguments.flag("help") {
    print("""
        usage: store-append [--runs 5] [--spans 100000] [--batch-size 500]
        Every run appends --spans spans in batches of --batch-size to a fresh database file, once
        per synchronous mode (interleaved); prints p50 and worst-run spans/s and CPU µs per span.
        """)
    exit(0)
}
let runs = arguments.int("runs", 5)
let spanCount = arguments.int("spans", 100_000)
let batchSize = arguments.int("batch-size", 500)
let spans = AppendWorkload.spans(spanCount)
let batches = stride(from: 0, to: spans.count, by: batchSize).map { Array(spans[$0..<min($0 + batchSize, spans.count)]) }
let directory = NSTemporaryDirectory() + "choreo-store-append-\(ProcessInfo.processInfo.processIdentifier)"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }

print("# store-append\n")
Machine.description().forEach { print($0) }
print("- load average before: \(Machine.loadAverage())")
print("- runs: \(runs) per mode (+1 warm-up, discarded), modes interleaved; \(spanCount) spans in batches of \(batchSize), fresh file per run in \(directory)\n")

/// Appends every batch to a fresh store; the timing and the file's path.
@MainActor func appendOnce(_ synchronous: SQLiteOptions.Synchronous, tag: String) async throws -> (Timing, String) {
    let path = "\(directory)/\(synchronous.rawValue)-\(tag).sqlite"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    let store = try SQLiteSpanStore(path: path, options: SQLiteOptions(synchronous: synchronous))
    let timing = try await Stopwatch.measure {
        for batch in batches { try await store.append(batch) }
    }.measurement
    await store.close()
    let stored = try RawSpanReader.count(path: path)
    precondition(stored == spanCount, "the store kept \(stored) of \(spanCount) spans")
    return (timing, path)
}

let modes: [SQLiteOptions.Synchronous] = [.full, .normal]
var rate: [SQLiteOptions.Synchronous: Samples] = [:], cpu: [SQLiteOptions.Synchronous: Samples] = [:]
var files: [SQLiteOptions.Synchronous: String] = [:]
for mode in modes { _ = try await appendOnce(mode, tag: "warmup") }
for run in 0..<runs {
    for mode in run % 2 == 0 ? modes : modes.reversed() {
        let (timing, path) = try await appendOnce(mode, tag: "run")
        rate[mode, default: Samples()].add(Double(spanCount) / (timing.wallNanoseconds / 1e9))
        cpu[mode, default: Samples()].add(timing.cpuNanoseconds / Double(spanCount) / 1000)
        files[mode] = path
    }
}

var table = MarkdownTable(["synchronous", "spans/s p50", "spans/s worst run", "CPU µs/span p50", "file KiB", "record bytes (avg)"])
for mode in modes {
    let path = files[mode]!
    let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    let rows = try RawSpanReader.rows(path: path)
    table.add([
        mode.rawValue, Format.grouped(rate[mode]!.p50), Format.grouped(rate[mode]!.min),
        Format.fixed(cpu[mode]!.p50, 2), Format.grouped(Double(bytes / 1024)), "\(rows.recordByteCount / max(rows.count, 1))",
    ])
}
print(table.render())
print("- load average after: \(Machine.loadAverage())")
