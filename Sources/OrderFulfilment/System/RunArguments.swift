import ChoreoModel

/// Parsing of the command-line values of a run that are not plain numbers.
public enum RunArguments {
    /// Parses a positive duration in ``DurationText``'s grammar, such as `2s`, `500ms`, `1.5s`,
    /// `2m` or `1h30m`; a bare number is refused unless `bareNumbersIn` gives its unit.
    ///
    /// - Throws: ``OrderFulfilmentError`` `invalidArgument` for anything else, or a duration that is not positive.
    public static func duration(_ text: String, bareNumbersIn bareUnit: DurationText.Unit? = nil) throws -> Duration {
        let duration: Duration
        do {
            duration = try DurationText.parse(text, bareNumbersIn: bareUnit)
        } catch {
            throw OrderFulfilmentError(.invalidArgument, error.description)
        }
        guard duration > .zero else {
            throw OrderFulfilmentError(.invalidArgument, "'\(text)' is not a positive duration; write e.g. 2s, 500ms, 1m")
        }
        return duration
    }
}
