import Foundation

/// The dashboard's static files, read once into memory and served by exact name only.
///
/// Lookups go through a dictionary built from the files that exist at load time, so a request
/// path can never reach outside the asset directory (`..`, encoded slashes and the like simply
/// find nothing). Files are small (tens of kilobytes), so holding them costs little.
public struct DashboardAssets: Sendable {
    /// Every file, keyed by its path below the root (`index.html`, `js/app.js`).
    public let files: [String: DashboardAsset]
    /// Where the files were read from; nil when none were found.
    public let root: URL?

    /// Assets from explicit files (tests, or an embedding application).
    public init(files: [DashboardAsset], root: URL? = nil) {
        self.files = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        self.root = root
    }

    /// The asset at a request path below the root, or nil.
    ///
    /// Only plain segments are accepted: no empty, `.` or `..` segment, no backslash, no NUL.
    public func asset(at path: String) -> DashboardAsset? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            if segment.isEmpty || segment == "." || segment == ".." { return nil }
            if segment.contains("\\") || segment.contains("\0") { return nil }
        }
        return files[path]
    }

    /// Reads every regular file below `root` (recursively, hidden files skipped).
    public static func load(from root: URL) throws -> DashboardAssets {
        let manager = FileManager.default
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        guard
            let enumerator = manager.enumerator(
                at: base, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]
            )
        else {
            throw DashboardError(code: .assetsUnreadable, message: "cannot list the dashboard assets in \(base.path)")
        }
        var files: [DashboardAsset] = []
        let prefix = base.path.hasSuffix("/") ? base.path : base.path + "/"
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard full.hasPrefix(prefix) else { continue }
            let data = try Data(contentsOf: url)
            files.append(DashboardAsset(path: String(full.dropFirst(prefix.count)), bytes: Array(data)))
        }
        return DashboardAssets(files: files, root: base)
    }
}
