import Foundation

extension DashboardAssets {
    /// The name SwiftPM gives this target's resource bundle, next to the executable.
    static let bundleName = "Choreoscope_ChoreoDashboard.resources"

    /// Finds and loads the bundled assets without ever crashing.
    ///
    /// Looks, in order, in `$CHOREO_DASHBOARD_DIR`, in the resource bundle next to the main
    /// executable (where `swift build` puts it; ship that directory with the binary), in the
    /// bundle next to the real executable path, and in the source tree this module was built
    /// from. When nothing is found the result is empty and the dashboard answers 503 with a hint.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> DashboardAssets {
        for candidate in candidates(environment: environment) {
            var isDirectory: ObjCBool = false
            let index = candidate.appendingPathComponent("index.html").path
            guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue,
                FileManager.default.fileExists(atPath: index)
            else { continue }
            if let assets = try? load(from: candidate) { return assets }
        }
        return DashboardAssets(files: [])
    }

    static func candidates(environment: [String: String]) -> [URL] {
        var result: [URL] = []
        if let dir = environment["CHOREO_DASHBOARD_DIR"], !dir.isEmpty {
            result.append(URL(fileURLWithPath: dir))
        }
        result.append(Bundle.main.bundleURL.appendingPathComponent(bundleName).appendingPathComponent("web"))
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            result.append(dir.appendingPathComponent(bundleName).appendingPathComponent("web"))
        }
        // Dashboards/Sources/<this file> -> Dashboards/web
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        result.append(source.appendingPathComponent("web"))
        return result
    }
}
