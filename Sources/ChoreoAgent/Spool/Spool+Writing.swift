import Logging
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Spool {
    /// Appends one request (a serialized OTLP ExportTraceServiceRequest holding `spanCount`
    /// spans). When this returns, the record is in the kernel (write(2)), and on disk too under
    /// ``SpoolFsyncPolicy/always``: the caller may acknowledge it.
    ///
    /// Makes room first when the spool is full: the oldest segments are deleted and their
    /// unsent spans counted as dropped (`reason="spool_full"`).
    /// - Throws: ``SpoolError`` when the write fails (e.g. the disk is full) or the spool is
    ///   closed; nothing was acknowledged then, so the receiver answers 503.
    public func append(_ payload: [UInt8], spanCount: Int) throws(SpoolError) {
        let record = SpoolRecord.encode(payload, spanCount: spanCount)
        let configuration = configuration
        guard record.count <= configuration.maxBytes else {
            throw SpoolError(code: .tooLarge, message: "a request of \(record.count) bytes exceeds --spool-max-bytes \(configuration.maxBytes)")
        }
        let waiter = try state.withLock { s throws(SpoolError) -> CheckedContinuation<Void, Never>? in
            guard !s.closed else { throw SpoolError(code: .closed, message: "the spool is closed (the agent is stopping)") }
            if let id = s.writeID, let last = s.segments.last, last.id == id,
                last.fileBytes > 0, last.fileBytes + record.count > configuration.segmentBytes
            {
                seal(&s)
            }
            while s.totalBytes + record.count > configuration.maxBytes, !s.segments.isEmpty {
                if s.segments[0].id == s.writeID { seal(&s) }
                dropOldest(&s)
            }
            if s.writeID == nil { try openSegment(&s) }
            let index = s.segments.count - 1
            let path = SegmentFile.path(configuration.directory, id: s.segments[index].id)
            do throws(SpoolError) {
                try SegmentFile.writeAll(s.writeFD!, record, path: path)
            } catch {
                // A partial record may be on disk: never append after it.
                s.segments[index].fileBytes = SegmentFile.fileSize(s.writeFD!)
                s.totalBytes += s.segments[index].fileBytes - s.segments[index].bytes
                seal(&s)
                throw error
            }
            s.segments[index].bytes += record.count
            s.segments[index].fileBytes += record.count
            s.segments[index].spans += spanCount
            s.totalBytes += record.count
            s.pendingSpans += spanCount
            s.dirty = true
            if configuration.fsync == .always {
                try SegmentFile.syncFile(s.writeFD!, path: path)
                s.dirty = false
            }
            return s.waiter.take()
        }
        waiter?.resume()
    }

    /// Starts a new segment for appends.
    private func openSegment(_ s: inout State) throws(SpoolError) {
        let id = s.nextID
        let path = SegmentFile.path(configuration.directory, id: id)
        let fd = try SegmentFile.openFile(path, flags: O_WRONLY | O_CREAT | O_APPEND | O_TRUNC)
        if configuration.fsync != .never {
            // The new file's directory entry must survive a power loss too.
            try? SegmentFile.syncDirectory(configuration.directory)
        }
        s.nextID += 1
        s.writeFD = fd
        s.writeID = id
        s.segments.append(Segment(id: id, bytes: 0, fileBytes: 0, spans: 0, readFD: nil))
        if s.segments.count == 1, s.read.segment < id {
            s.read = SpoolPosition(segment: id, offset: 0)
            s.readSpansInSegment = 0
        }
    }

    /// Closes the write segment (synced unless the policy is ``SpoolFsyncPolicy/never``); the
    /// next append starts a new one.
    func seal(_ s: inout State) {
        guard let fd = s.writeFD else { return }
        if configuration.fsync != .never, s.dirty { _ = fsync(fd) }
        SegmentFile.closeFile(fd)
        s.writeFD = nil
        s.writeID = nil
        s.dirty = false
    }

    /// Deletes the oldest segment; its spans not yet read are counted as dropped.
    func dropOldest(_ s: inout State) {
        let segment = s.segments.removeFirst()
        var lost = 0
        if s.read.segment <= segment.id {
            lost = segment.spans - (s.read.segment == segment.id ? s.readSpansInSegment : 0)
            let next = s.segments.first?.id ?? s.nextID
            s.read = SpoolPosition(segment: next, offset: 0)
            s.readSpansInSegment = 0
        }
        if s.committed.segment <= segment.id { s.committed = s.read }
        s.pendingSpans -= lost
        s.totalBytes -= segment.fileBytes
        if let fd = segment.readFD { SegmentFile.closeFile(fd) }
        unlink(SegmentFile.path(configuration.directory, id: segment.id))
        droppedFull.add(lost)
        logger.error(
            "spool full; deleted the oldest segment and dropped its unsent spans",
            metadata: [
                "segment": "\(segment.id)", "dropped_spans": "\(lost)", "max_bytes": "\(configuration.maxBytes)",
            ])
    }
}
