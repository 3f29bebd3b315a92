import Foundation

/// A temporary directory for the runs' database files, removed at exit.
struct ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "choreo-bench-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A fresh database path: the file and its WAL and shared-memory files are removed first.
    func database(_ name: String) -> String {
        let file = "\(path)/\(name).sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
