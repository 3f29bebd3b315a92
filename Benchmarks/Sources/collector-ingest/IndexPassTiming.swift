import BenchSupport
import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Foundation
import Logging

/// `--index-pass`: the collector's flow indexer alone, in process, on the workload's flows. Each
/// round appends the workload to a fresh SQLite file (untimed), then times one
/// `FlowIndexer.catchUp()` (claims, reading the spans back, rebuilding, judging, writing the
/// index), and apart from it the reading back alone and the flow builder alone on the same
/// flows. Prints CPU per flow and per span, the p50 over rounds (nearest rank, as every figure
/// here): what the indexer adds to the HTTP case's collector CPU per span. The reading back alone
/// runs first, so the pass reads pages already in the OS's cache, as the collector's indexer
/// reads pages just written.
enum IndexPassTiming {
    static func run(workload: Workload, rounds: Int, directory: String) async throws {
        var logger = Logger(label: "bench.index")
        logger.logLevel = .warning
        let spans = workload.spanCount
        var pass = Samples()
        var read = Samples()
        var flowCount = 0
        for round in 0..<max(1, rounds) {
            let path = "\(directory)/index-\(round).sqlite"
            let store = try SQLiteSpanStore(path: path)
            for batch in workload.batches { try await store.append(batch) }
            let ids = Set(workload.batches.joined().compactMap(\.flowCorrelationID)).sorted()
            flowCount = ids.count
            let readStart = ProcessCPUTime.nanoseconds()
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                _ = try await store.spans(correlationIDs: Array(ids[chunk..<min(chunk + 500, ids.count)]))
            }
            read.add(Double(ProcessCPUTime.nanoseconds() - readStart))
            let indexer = FlowIndexer(
                store: store, options: FlowOptions(), clock: ContinuousClock(), interval: .seconds(3600), logger: logger)
            let start = ProcessCPUTime.nanoseconds()
            let written = try await indexer.catchUp()
            pass.add(Double(ProcessCPUTime.nanoseconds() - start))
            precondition(written == ids.count, "the pass wrote \(written) flows of \(ids.count)")
            await store.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let perSpan = { (ns: Double) in Format.fixed(ns / Double(spans) / 1000, 2) }
        let perFlow = { (ns: Double) in Format.fixed(ns / Double(flowCount) / 1000, 1) }
        print("- indexer pass alone (in process, SQLite): \(flowCount) flows, \(spans) spans, \(rounds) rounds")
        print("  whole catch-up: CPU per flow p50 \(perFlow(pass.p50)) µs, per span \(perSpan(pass.p50)) µs (best \(perSpan(pass.min)))")
        print("  reading the spans back alone (500 flows per read): per flow \(perFlow(read.p50)) µs, per span \(perSpan(read.p50)) µs")
    }
}
