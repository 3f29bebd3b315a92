import Logging
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Spool {
    /// Indexes the segments in `directory` and places the reader at the persisted cursor.
    ///
    /// Each segment's record headers are walked; a torn tail (an incomplete header or payload,
    /// a wrong magic) ends the segment and is logged. Segments wholly before the cursor were
    /// sent already (the agent stopped between saving the cursor and deleting them): deleted.
    static func recover(_ directory: String, logger: Logger) throws(SpoolError) -> State {
        var state = State()
        let ids = try SegmentFile.listNames(directory).compactMap(SegmentFile.id(ofName:)).sorted()
        let cursor = SpoolCursor.load(directory)
        for id in ids {
            let path = SegmentFile.path(directory, id: id)
            if let cursor, id < cursor.segment {
                unlink(path)
                continue
            }
            let fd = try SegmentFile.openFile(path, flags: O_RDONLY)
            defer { SegmentFile.closeFile(fd) }
            let fileBytes = SegmentFile.fileSize(fd)
            let (bytes, spans, boundaries) = try walk(fd, size: fileBytes, path: path)
            if bytes < fileBytes {
                logger.warning(
                    "spool segment has a torn or corrupt tail (left by a crash); skipping it",
                    metadata: [
                        "segment": "\(path)", "valid_bytes": "\(bytes)", "skipped_bytes": "\(fileBytes - bytes)",
                    ])
            }
            state.segments.append(Segment(id: id, bytes: bytes, fileBytes: fileBytes, spans: spans, readFD: nil))
            state.totalBytes += fileBytes
            state.pendingSpans += spans
            if let cursor, cursor.segment == id, let before = boundaries[cursor.offset] {
                state.read = SpoolPosition(segment: id, offset: cursor.offset)
                state.readSpansInSegment = before
                state.pendingSpans -= before
            }
        }
        if state.read.segment == 0, let first = state.segments.first {
            state.read = SpoolPosition(segment: first.id, offset: 0)
            state.readSpansInSegment = 0
        }
        state.committed = state.read
        state.nextID = max(ids.last ?? 0, cursor?.segment ?? 0) + 1
        if !state.segments.isEmpty {
            logger.info(
                "spool reopened; replaying from the cursor",
                metadata: [
                    "segments": "\(state.segments.count)", "bytes": "\(state.totalBytes)",
                    "spans_to_replay": "\(state.pendingSpans)", "cursor": "\(state.read)",
                ])
        }
        return state
    }

    /// Walks the record headers: the end of the last complete record, the spans up to it, and
    /// for each record boundary the spans before it.
    private static func walk(_ fd: Int32, size: Int, path: String) throws(SpoolError) -> (Int, Int, [Int: Int]) {
        var offset = 0
        var spans = 0
        var boundaries = [0: 0]
        while offset + SpoolRecord.headerSize <= size {
            let raw = try SegmentFile.readAt(fd, count: SpoolRecord.headerSize, at: offset, path: path)
            guard let header = SpoolRecord.decodeHeader(raw),
                offset + SpoolRecord.headerSize + header.length <= size
            else { break }
            offset += SpoolRecord.headerSize + header.length
            spans += header.spanCount
            boundaries[offset] = spans
        }
        return (offset, spans, boundaries)
    }
}
