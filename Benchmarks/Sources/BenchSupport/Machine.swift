import Foundation

/// What the benchmark ran on, printed at the top of every report.
public enum Machine {
    /// CPU model, online cores, memory, OS, and the date (UTC), as Markdown list lines.
    public static func description() -> [String] {
        let cpu = firstValue(in: "/proc/cpuinfo", key: "model name") ?? "unknown"
        let memory = firstValue(in: "/proc/meminfo", key: "MemTotal") ?? "unknown"
        let os = read("/etc/os-release")?
            .split(separator: "\n")
            .first { $0.hasPrefix("PRETTY_NAME=") }
            .map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            ?? "unknown"
        return [
            "- date (UTC): \(ISO8601DateFormatter().string(from: Date()))",
            "- cpu: \(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores online",
            "- memory: \(memory)",
            "- os: \(os)",
        ]
    }

    /// The 1, 5 and 15 minute load averages, as `/proc/loadavg` gives them.
    public static func loadAverage() -> String {
        guard let text = read("/proc/loadavg") else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    private static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }

    private static func firstValue(in path: String, key: String) -> String? {
        guard let text = read(path) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
