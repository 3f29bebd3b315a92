/// Minimal `--name value` options for the benchmark executables.
public struct Arguments: Sendable {
    private let values: [String: String]

    /// Parses `--name value` pairs (and `--name=value`); a `--help` flag is kept as `"true"`.
    public init(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        var values: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else { index += 1; continue }
            let name = String(argument.dropFirst(2))
            if let equals = name.firstIndex(of: "=") {
                values[String(name[..<equals])] = String(name[name.index(after: equals)...])
            } else if index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") {
                values[name] = arguments[index + 1]
                index += 1
            } else {
                values[name] = "true"
            }
            index += 1
        }
        self.values = values
    }

    /// True when `--name` was given.
    public func flag(_ name: String) -> Bool { values[name] != nil }

    /// The string value of `--name`, or `fallback`.
    public func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }

    /// The integer value of `--name`, or `fallback` (also when the value is not an integer).
    public func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap { Int($0) } ?? fallback }

    /// A comma-separated list of integers, e.g. `--submitters 1,4,16`.
    public func ints(_ name: String, _ fallback: [Int]) -> [Int] {
        guard let text = values[name] else { return fallback }
        let parsed = text.split(separator: ",").compactMap { Int($0) }
        return parsed.isEmpty ? fallback : parsed
    }
}
