/// One static file of the dashboard, held in memory with the headers it is served with.
public struct DashboardAsset: Sendable, Hashable {
    /// The path below the asset root, e.g. `js/app.js`.
    public var path: String
    /// The file's content, served as is.
    public var bytes: [UInt8]
    /// The `Content-Type` header value, chosen by file extension.
    public var contentType: String
    /// A strong entity tag derived from the bytes (FNV-1a 64), quoted as HTTP requires.
    public var eTag: String

    /// An asset at `path` (below the asset root) with `bytes`; content type and entity tag are derived.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        self.contentType = DashboardAsset.contentType(forPath: path)
        self.eTag = "\"" + DashboardAsset.fnv1a64(bytes) + "\""
    }

    /// The media type of a file name by its extension; unknown extensions are
    /// `application/octet-stream`, which browsers never execute (with `nosniff`).
    public static func contentType(forPath path: String) -> String {
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "txt": return "text/plain; charset=utf-8"
        case "woff2": return "font/woff2"
        default: return "application/octet-stream"
        }
    }

    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
