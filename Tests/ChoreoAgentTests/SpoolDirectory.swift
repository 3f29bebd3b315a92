import ChoreoModel
import ChoreoOTLP
import Foundation
import Logging
@testable import ChoreoAgent

/// A fresh temporary spool directory, removed at deinit, plus helpers to fill and read spools.
final class SpoolDirectory: @unchecked Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-spool-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func open(maxBytes: Int = 1 << 30, segmentBytes: Int? = nil, fsync: SpoolFsyncPolicy = .never) throws -> Spool {
        let configuration = SpoolConfiguration(directory: path, maxBytes: maxBytes, fsync: fsync, segmentBytes: segmentBytes)
        return try Spool(configuration: configuration, logger: Logger(label: "test.spool"))
    }

    /// Segment file names, sorted.
    var segments: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".spool") }.sorted()
    }

    /// The spans of `n` with names "span <start>"…, as a serialized request.
    static func request(_ n: Int, from start: Int = 0) throws -> [UInt8] {
        try OTLPProtobuf.encodeRequest(ForwarderTests.spans(n, from: start))
    }

    /// The span names in a batch's payload.
    static func names(_ batch: SpoolBatch) throws -> [String] {
        try OTLPProtobuf.decodeRequest(batch.payload).spans.map(\.name)
    }

    /// Reads and commits everything pending; the span names in order.
    static func drain(_ spool: Spool, maxSpans: Int = 1000) throws -> [String] {
        var names: [String] = []
        while let batch = spool.nextBatch(maxSpans: maxSpans) {
            names += try Self.names(batch)
            spool.commit(batch)
        }
        return names
    }

    static func names(_ range: Range<Int>) -> [String] { range.map { "span \($0)" } }
}
