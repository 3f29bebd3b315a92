import Foundation
import Testing
@testable import ChoreoAgent

@Suite("Agent disk spool")
struct SpoolTests {
    @Test("records come back in order, batched by span count, and a read does not move the cursor until commit")
    func readsInOrder() throws {
        let dir = try SpoolDirectory()
        let spool = try dir.open()
        for i in 0..<4 { try spool.append(try SpoolDirectory.request(5, from: i * 5), spanCount: 5) }
        #expect(spool.pendingSpans == 20)
        let first = try #require(spool.nextBatch(maxSpans: 12))
        #expect(first.spanCount == 10, "whole records only, up to the limit")
        #expect(try SpoolDirectory.names(first) == SpoolDirectory.names(0..<10))
        #expect(spool.pendingSpans == 10)
        spool.commit(first)
        #expect(try SpoolDirectory.drain(spool) == SpoolDirectory.names(10..<20))
        #expect(spool.nextBatch(maxSpans: 12) == nil)
    }

    @Test("a second spool on a directory in use is refused; once the first is closed, even while still referenced, it opens")
    func lockHeldUntilClose() throws {
        let dir = try SpoolDirectory()
        let first = try dir.open()
        try first.append(try SpoolDirectory.request(2, from: 0), spanCount: 2)
        let refused = #expect(throws: SpoolError.self) { try dir.open() }
        #expect(refused?.code == .directory)
        first.close()
        let second = try dir.open()
        #expect(try SpoolDirectory.drain(second) == SpoolDirectory.names(0..<2))
        withExtendedLifetime(first) {}
    }

    @Test("a reopened spool replays from the persisted cursor (crash: the object is dropped without close)")
    func replayFromCursor() throws {
        let dir = try SpoolDirectory()
        do {
            let spool = try dir.open()
            for i in 0..<5 { try spool.append(try SpoolDirectory.request(3, from: i * 3), spanCount: 3) }
            let sent = try #require(spool.nextBatch(maxSpans: 6))
            spool.commit(sent)
            _ = spool.nextBatch(maxSpans: 3)  // read, but never acknowledged by the next hop
        }
        let reopened = try dir.open()
        #expect(reopened.pendingSpans == 9)
        #expect(try SpoolDirectory.drain(reopened) == SpoolDirectory.names(6..<15))
        try reopened.append(try SpoolDirectory.request(2, from: 100), spanCount: 2)
        #expect(try SpoolDirectory.drain(reopened) == SpoolDirectory.names(100..<102), "appends after a reopen follow")
    }

    @Test("without any commit everything is replayed after a reopen")
    func replayEverything() throws {
        let dir = try SpoolDirectory()
        do {
            let spool = try dir.open(segmentBytes: 600)
            for i in 0..<6 { try spool.append(try SpoolDirectory.request(4, from: i * 4), spanCount: 4) }
            #expect(dir.segments.count > 1, "small segments roll over")
        }
        let reopened = try dir.open(segmentBytes: 600)
        #expect(try SpoolDirectory.drain(reopened) == SpoolDirectory.names(0..<24))
    }

    @Test("a torn tail (a crash mid-write) is detected and skipped; the records before it survive")
    func tornTail() throws {
        let dir = try SpoolDirectory()
        do {
            let spool = try dir.open()
            for i in 0..<3 { try spool.append(try SpoolDirectory.request(2, from: i * 2), spanCount: 2) }
        }
        let file = dir.path + "/" + (try #require(dir.segments.last))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let torn = SpoolRecord.encode(try SpoolDirectory.request(2, from: 6), spanCount: 2)
        try (bytes + Data(torn.prefix(torn.count / 2))).write(to: URL(fileURLWithPath: file))

        let reopened = try dir.open()
        #expect(reopened.pendingSpans == 6)
        #expect(try SpoolDirectory.drain(reopened) == SpoolDirectory.names(0..<6))
        try reopened.append(try SpoolDirectory.request(1, from: 50), spanCount: 1)
        #expect(try SpoolDirectory.drain(reopened) == ["span 50"], "new appends never land after the torn record")
    }

    @Test("a record that fails its checksum ends its segment: skipped, logged and counted as corrupt")
    func corruptRecord() throws {
        let dir = try SpoolDirectory()
        do {
            let spool = try dir.open()
            for i in 0..<3 { try spool.append(try SpoolDirectory.request(2, from: i * 2), spanCount: 2) }
        }
        let file = dir.path + "/" + (try #require(dir.segments.first))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let secondRecord = bytes.count / 3
        bytes[secondRecord + SpoolRecord.headerSize + 3] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: file))

        let reopened = try dir.open()
        #expect(try SpoolDirectory.drain(reopened, maxSpans: 2) == SpoolDirectory.names(0..<2))
        #expect(reopened.dropped.corrupt == 4)
        #expect(reopened.pendingSpans == 0)
    }

    @Test("at the size cap the oldest segment is deleted and its unsent spans are counted")
    func capDropsOldest() throws {
        let dir = try SpoolDirectory()
        // Names of equal length ("span 100"…), so every record has the same size.
        let record = SpoolRecord.headerSize + (try SpoolDirectory.request(5, from: 100)).count
        // Two records per segment, room for three segments.
        let spool = try dir.open(maxBytes: record * 6 + 10, segmentBytes: record * 2)
        for i in 0..<6 { try spool.append(try SpoolDirectory.request(5, from: 100 + i * 5), spanCount: 5) }
        #expect(spool.dropped.spoolFull == 0)
        #expect(dir.segments.count == 3)
        try spool.append(try SpoolDirectory.request(5, from: 130), spanCount: 5)
        #expect(spool.dropped.spoolFull == 10, "the oldest segment's two records")
        #expect(spool.bytes <= record * 6 + 10)
        #expect(try SpoolDirectory.drain(spool) == SpoolDirectory.names(110..<135))
    }

    @Test("the cap counts only spans not yet read from the dropped segment")
    func capCountsUnreadOnly() throws {
        let dir = try SpoolDirectory()
        let record = SpoolRecord.headerSize + (try SpoolDirectory.request(5, from: 100)).count
        let spool = try dir.open(maxBytes: record * 4, segmentBytes: record * 2)
        for i in 0..<4 { try spool.append(try SpoolDirectory.request(5, from: 100 + i * 5), spanCount: 5) }
        let inFlight = try #require(spool.nextBatch(maxSpans: 5))
        try spool.append(try SpoolDirectory.request(5, from: 120), spanCount: 5)
        #expect(spool.dropped.spoolFull == 5, "the record in flight is not counted")
        spool.commit(inFlight)
        #expect(try SpoolDirectory.drain(spool) == SpoolDirectory.names(110..<125))
    }

    @Test("fully sent segments are deleted; the write segment stays")
    func sentSegmentsDeleted() throws {
        let dir = try SpoolDirectory()
        let spool = try dir.open(segmentBytes: 400)
        for i in 0..<6 { try spool.append(try SpoolDirectory.request(3, from: i * 3), spanCount: 3) }
        let before = dir.segments.count
        #expect(before >= 3)
        _ = try SpoolDirectory.drain(spool)
        #expect(dir.segments.count == 1)
        #expect(spool.segmentCount == 1)
        #expect(spool.bytes < 400)
    }

    @Test("every fsync policy keeps records across a reopen", arguments: SpoolFsyncPolicy.allCases)
    func fsyncPolicies(policy: SpoolFsyncPolicy) throws {
        let dir = try SpoolDirectory()
        do {
            let spool = try dir.open(segmentBytes: 700, fsync: policy)
            for i in 0..<4 { try spool.append(try SpoolDirectory.request(3, from: i * 3), spanCount: 3) }
            try spool.sync()
        }
        #expect(try SpoolDirectory.drain(try dir.open(fsync: policy)) == SpoolDirectory.names(0..<12))
    }

    @Test("a request larger than the whole spool is refused, not half-written")
    func oversizeRecord() throws {
        let dir = try SpoolDirectory()
        let spool = try dir.open(maxBytes: 100)
        let error = #expect(throws: SpoolError.self) { try spool.append(try SpoolDirectory.request(5), spanCount: 5) }
        #expect(error?.code == .tooLarge)
        #expect(spool.bytes == 0 && spool.pendingSpans == 0)
    }

    @Test("a second process cannot open the same spool directory")
    func exclusive() throws {
        let dir = try SpoolDirectory()
        let spool = try dir.open()
        #expect(throws: SpoolError.self) { try dir.open() }
        _ = spool
    }
}
