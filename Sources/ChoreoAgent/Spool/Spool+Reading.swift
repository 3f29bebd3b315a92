import Logging
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Spooled records read for one forwarding request.
public struct SpoolBatch: Sendable {
    /// One record in the batch.
    struct Record: Sendable {
        /// Where its payload ends in ``SpoolBatch/payload``.
        var payloadEnd: Int
        var spanCount: Int
        /// Where the cursor may move once it and every record before it were accepted (for the
        /// last record, ``SpoolBatch/end``).
        var end: SpoolPosition
    }

    /// The records' payloads concatenated: itself a serialized ExportTraceServiceRequest.
    public var payload: [UInt8]
    /// Spans in the batch.
    public var spanCount: Int
    /// Where the next batch starts; ``Spool/commit(_:)`` persists it as the cursor.
    public var end: SpoolPosition
    /// The records, in order.
    var records: [Record]
}

extension Spool {
    /// Reads the next records, in order, up to `maxSpans` spans and `maxBytes` payload bytes
    /// (at least one record, whatever its size), or nil when nothing is pending. The reader
    /// moves on; the cursor moves only on ``commit(_:)``.
    ///
    /// A record that fails its checksum ends its segment: the rest of it is skipped, logged and
    /// counted as dropped (`reason="corrupt"`).
    public func nextBatch(maxSpans: Int, maxBytes: Int = .max) -> SpoolBatch? {
        state.withLock { s -> SpoolBatch? in
            var payload: [UInt8] = []
            var records: [SpoolBatch.Record] = []
            var count = 0
            while count < maxSpans, let index = readSegmentIndex(&s) {
                let segment = s.segments[index]
                if s.read.offset >= segment.bytes {
                    guard segment.id != s.writeID, index + 1 < s.segments.count else { break }
                    s.read = SpoolPosition(segment: s.segments[index + 1].id, offset: 0)
                    s.readSpansInSegment = 0
                    continue
                }
                guard let (header, body) = readRecord(&s, index: index) else {
                    skipCorrupt(&s, index: index)
                    continue
                }
                if !records.isEmpty, count + header.spanCount > maxSpans || payload.count + body.count > maxBytes { break }
                payload += body
                count += header.spanCount
                s.read.offset += SpoolRecord.headerSize + header.length
                s.readSpansInSegment += header.spanCount
                s.pendingSpans -= header.spanCount
                records.append(SpoolBatch.Record(payloadEnd: payload.count, spanCount: header.spanCount, end: s.read))
            }
            guard !records.isEmpty else { return nil }
            records[records.count - 1].end = s.read
            return SpoolBatch(payload: payload, spanCount: count, end: s.read, records: records)
        }
    }

    /// Records that the next hop accepted everything before `batch.end`: persists the cursor
    /// and deletes the segments now fully sent.
    public func commit(_ batch: SpoolBatch) {
        commit(through: batch.end)
    }

    /// Records that the next hop accepted everything before `position` (a record boundary the
    /// reader has passed): persists the cursor and deletes the segments now fully sent.
    func commit(through position: SpoolPosition) {
        let directory = configuration.directory
        state.withLock { s in
            if position > s.committed { s.committed = position }
            while let first = s.segments.first, first.id != s.writeID,
                first.id < s.committed.segment || (first.id == s.committed.segment && s.committed.offset >= first.bytes)
            {
                s.segments.removeFirst()
                s.totalBytes -= first.fileBytes
                if let fd = first.readFD { SegmentFile.closeFile(fd) }
                unlink(SegmentFile.path(directory, id: first.id))
            }
            do {
                try SpoolCursor.store(s.committed, in: directory)
            } catch {
                logger.warning("cannot save the spool cursor; a restart would resend some batches", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The index of the segment the reader is in, moving the reader past deleted segments.
    private func readSegmentIndex(_ s: inout State) -> Int? {
        if let index = s.segments.firstIndex(where: { $0.id >= s.read.segment }) {
            if s.segments[index].id != s.read.segment {
                s.read = SpoolPosition(segment: s.segments[index].id, offset: 0)
                s.readSpansInSegment = 0
            }
            return index
        }
        return nil
    }

    /// The record at the reader's position with its payload, or nil when it is damaged.
    private func readRecord(_ s: inout State, index: Int) -> (SpoolRecord.Header, [UInt8])? {
        let path = SegmentFile.path(configuration.directory, id: s.segments[index].id)
        do {
            if s.segments[index].readFD == nil {
                s.segments[index].readFD = try SegmentFile.openFile(path, flags: O_RDONLY)
            }
            let fd = s.segments[index].readFD!
            let raw = try SegmentFile.readAt(fd, count: SpoolRecord.headerSize, at: s.read.offset, path: path)
            guard let header = SpoolRecord.decodeHeader(raw),
                s.read.offset + SpoolRecord.headerSize + header.length <= s.segments[index].bytes
            else { return nil }
            let body = try SegmentFile.readAt(fd, count: header.length, at: s.read.offset + SpoolRecord.headerSize, path: path)
            guard body.count == header.length, SpoolRecord.verify(header, payload: body) else { return nil }
            return (header, body)
        } catch {
            logger.error("cannot read the spool", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Gives up the rest of a segment after a damaged record; its unread spans are dropped.
    private func skipCorrupt(_ s: inout State, index: Int) {
        let segment = s.segments[index]
        let lost = max(0, segment.spans - s.readSpansInSegment)
        logger.error(
            "spool record failed its checksum; skipping the rest of the segment",
            metadata: [
                "segment": "\(SegmentFile.path(configuration.directory, id: segment.id))", "offset": "\(s.read.offset)",
                "dropped_spans": "\(lost)",
            ])
        if segment.id == s.writeID { seal(&s) }
        s.segments[index].bytes = s.read.offset
        s.segments[index].spans = s.readSpansInSegment
        s.pendingSpans -= lost
        droppedCorrupt.add(lost)
    }
}
