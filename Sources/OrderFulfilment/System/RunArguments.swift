/// Parsing of the command-line values of a run that are not plain numbers.
public enum RunArguments {
    /// Parses a duration such as `2s`, `500ms`, `1.5s`, `2m` or `1h`.
    ///
    /// - Throws: ``OrderFulfilmentError`` `invalidArgument` for anything else, or a duration that is not positive.
    public static func duration(_ text: String) throws -> Duration {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let value = Double(text.dropLast(unit.suffix.count)), value > 0, value.isFinite else { break }
            return .nanoseconds(Int64((value * unit.seconds * 1e9).rounded()))
        }
        throw OrderFulfilmentError(.invalidArgument, "'\(text)' is not a positive duration; write e.g. 2s, 500ms, 1m")
    }
}
