#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin, throwing wrappers over the POSIX calls the spool uses.
enum SegmentFile {
    /// The path of segment `id` in `directory` (ids sort as names: zero-padded).
    static func path(_ directory: String, id: UInt64) -> String {
        let digits = String(id)
        return directory + "/segment-" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".spool"
    }

    /// The id in a segment file name, or nil for other files.
    static func id(ofName name: String) -> UInt64? {
        guard name.hasPrefix("segment-"), name.hasSuffix(".spool") else { return nil }
        return UInt64(name.dropFirst(8).dropLast(6))
    }

    static func openFile(_ path: String, flags: Int32) throws(SpoolError) -> Int32 {
        let fd = open(path, flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("open", path, errno: errno) }
        return fd
    }

    /// Writes all of `bytes` (appending, for an `O_APPEND` descriptor).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpoolError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("write", path, errno: errno)
            }
            done += n
        }
    }

    /// Reads exactly `count` bytes at `offset`; fewer when the file ends first.
    static func readAt(_ fd: Int32, count: Int, at offset: Int, path: String) throws(SpoolError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("read", path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        if done < count { bytes.removeLast(count - done) }
        return bytes
    }

    static func closeFile(_ fd: Int32) {
        _ = close(fd)
    }

    static func syncFile(_ fd: Int32, path: String) throws(SpoolError) {
        guard fsync(fd) == 0 else { throw .io("fsync", path, errno: errno) }
    }

    /// fsyncs a directory, so the files created in it survive a power loss.
    static func syncDirectory(_ directory: String) throws(SpoolError) {
        let fd = try openFile(directory, flags: O_RDONLY | O_DIRECTORY)
        defer { closeFile(fd) }
        try syncFile(fd, path: directory)
    }

    static func fileSize(_ fd: Int32) -> Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    /// The names in `directory`.
    static func listNames(_ directory: String) throws(SpoolError) -> [String] {
        guard let dir = opendir(directory) else { throw .io("list", directory, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            names.append(name)
        }
        return names
    }

    /// Creates `directory` (and its parents) when missing.
    static func makeDirectory(_ directory: String) throws(SpoolError) {
        var partial = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                throw SpoolError(code: .directory, message: "cannot create the spool directory \(partial): \(String(cString: strerror(errno)))")
            }
        }
    }
}
